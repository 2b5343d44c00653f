import { Controller, Delete, Get, HttpCode, Inject, Param, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { DataSource } from 'typeorm';
import { Identity } from '@ledger/identity';
import { CardBalanceEntity } from '@ledger/read-models';
import { DATA_SOURCE, IDENTITY } from '../infrastructure/tokens';
import { uuidParam } from '../http/params';
import { ProblemException } from '../http/problem';
import { Allow } from '../auth/access.decorator';
import { AuthenticatedRequest } from '../auth/access.guard';

@ApiTags('accounts')
@ApiBearerAuth('bearer')
@Controller('v1/accounts')
export class AccountsController {
  constructor(
    @Inject(IDENTITY) private readonly identity: Identity,
    @Inject(DATA_SOURCE) private readonly db: DataSource,
  ) {}

  /** The logged-in owner: their phone number (decrypted for them only) and their cards. */
  @Get('me')
  @Allow(['owner'])
  async me(@Req() req: AuthenticatedRequest) {
    const accountId = req.subject!.id;
    const cards = await this.db.getRepository(CardBalanceEntity).find({ where: { accountId }, order: { subscriptionId: 'ASC' } });
    return {
      accountId,
      phoneNumber: await this.identity.accounts.phoneOf(accountId),
      cards: cards.map((c) => ({
        subscriptionId: c.subscriptionId,
        iccid: c.iccid,
        region: c.region,
        expiresAt: c.expiresAt ? new Date(c.expiresAt).toISOString() : null,
      })),
    };
  }

  /**
   * Right to erasure, by the owner or an admin: the account's key is deleted, so its phone number
   * can no longer be read; its events (which hold only the account id) and their hash chains stay.
   */
  @Delete(':id')
  @HttpCode(204)
  @Allow(['owner', 'admin'])
  async erase(@Param('id') id: string, @Req() req: AuthenticatedRequest): Promise<void> {
    const accountId = uuidParam(id, 'accountId');
    if (req.subject!.role === 'owner' && req.subject!.id !== accountId) {
      throw new ProblemException(404, 'ACCOUNT_NOT_FOUND', `account ${accountId} does not exist`, 'accountId');
    }
    if (!(await this.identity.accounts.erase(accountId, new Date()))) {
      throw new ProblemException(404, 'ACCOUNT_NOT_FOUND', `account ${accountId} does not exist or was already erased`, 'accountId');
    }
    await this.identity.sessions.revokeSubject(`account:${accountId}`, new Date());
  }
}
