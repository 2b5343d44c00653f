import { Body, Controller, HttpCode, Inject, Param, Post, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiHeader, ApiTags } from '@nestjs/swagger';
import { deterministicId } from '@ledger/event-store';
import { PaymentProcessRunner, paymentIdOf } from '@ledger/payments';
import { Allow } from '../auth/access.decorator';
import { AuthenticatedRequest } from '../auth/access.guard';
import { uuidParam } from '../http/params';
import { ProblemException } from '../http/problem';
import { eventMetadata, requestContext, requireIdempotencyKey } from '../http/request-context';
import { PAYMENT_PROCESSES } from '../infrastructure/tokens';
import { RefundRequestDto } from './refund.request.dto';

export interface RefundAnswer {
  refundId: string;
  renewalId: string;
  status: 'refunded' | 'pending' | 'refused';
  amountMinor: number;
  reason?: string;
}

/** Finance refunds a completed renewal in full or in part; the card gives back what the rule says. */
@ApiTags('payments')
@ApiBearerAuth('bearer')
@Controller('v1/subscriptions/:id/renewals/:renewalId/refunds')
export class RefundsController {
  constructor(@Inject(PAYMENT_PROCESSES) private readonly processes: PaymentProcessRunner) {}

  @Post()
  @HttpCode(201)
  @ApiHeader({ name: 'Idempotency-Key', required: true, description: 'the same key refunds once' })
  @Allow(['finance'])
  async refund(@Param('id') id: string, @Param('renewalId') rid: string, @Body() body: RefundRequestDto, @Req() req: AuthenticatedRequest) {
    const subscriptionId = uuidParam(id, 'subscriptionId');
    const renewalId = uuidParam(rid, 'renewalId');
    const key = requireIdempotencyKey(req);
    const paymentId = paymentIdOf(renewalId);
    const known = await this.processes.state(paymentId);
    if (known.request?.subscriptionId !== subscriptionId)
      throw new ProblemException(
        404,
        'RENEWAL_NOT_FOUND',
        `renewal ${renewalId} does not exist on subscription ${subscriptionId}`,
        'renewalId',
      );
    const ctx = requestContext(req);
    const refundId = deterministicId('refund', renewalId, key);
    const command = {
      type: 'RequestRefund' as const,
      refundId,
      amountMinor: body.amountMinor,
      reason: body.reason,
      actor: ctx.actor,
      now: ctx.now,
    };
    const state = await this.processes.receive(paymentId, command, eventMetadata(ctx, key));
    const held = state.refunds.find((r) => r.refundId === refundId)!;
    const status = held.rejected ? 'refused' : state.cardSteps.includes(`refund:${refundId}`) ? 'refunded' : 'pending';
    return {
      refundId,
      renewalId,
      status,
      amountMinor: held.amountMinor,
      ...(held.rejected ? { reason: held.rejected } : {}),
    } satisfies RefundAnswer;
  }
}
