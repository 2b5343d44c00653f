import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { Inject } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { Identity } from '@ledger/identity';
import { IDENTITY } from '../infrastructure/tokens';
import { requestContext } from '../http/request-context';
import { VerifyAccountCommand } from '../accounts/verify-account.handler';
import { AuthRoute, Public } from './access.decorator';
import {
  ClientTokenRequestDto,
  ConfirmResetRequestDto,
  LoginRequestDto,
  RefreshRequestDto,
  RegisterRequestDto,
  RequestCodeDto,
  StaffLoginRequestDto,
  VerifyRequestDto,
} from './auth.request.dto';

/** Register, prove the phone, log in, refresh, log out, reset; staff and machine clients log in here too. */
@ApiTags('auth')
@Public()
@AuthRoute()
@Controller('v1/auth')
export class AuthController {
  constructor(
    @Inject(IDENTITY) private readonly identity: Identity,
    private readonly commands: CommandBus,
  ) {}

  @Post('register')
  @HttpCode(202)
  async register(@Body() body: RegisterRequestDto) {
    await this.identity.accounts.register(body.phoneNumber, new Date());
    return { verification: 'a text was sent to the phone number: POST its six-digit code with a password to /v1/auth/verify' };
  }

  /** Whoever holds the texted code sets the password: registering someone else's number first gains nothing. */
  @Post('verify')
  @HttpCode(200)
  async verify(@Body() body: VerifyRequestDto, @Req() req: FastifyRequest) {
    const { accountId } = await this.identity.accounts.verify(body.phoneNumber, body.code, body.password, new Date());
    const { position } = await this.commands.execute(new VerifyAccountCommand(accountId, requestContext(req, `account:${accountId}`)));
    return { accountId, verified: true, position };
  }

  @Post('login')
  @HttpCode(200)
  async login(@Body() body: LoginRequestDto, @Req() req: FastifyRequest) {
    const subject = await this.identity.accounts.login(body.phoneNumber, body.password, new Date());
    // Idempotent: finishes a verification whose AccountRegistered was not written (a crash in between).
    await this.commands.execute(new VerifyAccountCommand(subject.id, requestContext(req, `account:${subject.id}`)));
    return { accountId: subject.id, ...(await this.identity.sessions.start(subject, new Date())) };
  }

  @Post('refresh')
  @HttpCode(200)
  refresh(@Body() body: RefreshRequestDto) {
    return this.identity.sessions.refresh(body.refreshToken, new Date());
  }

  @Post('logout')
  @HttpCode(204)
  async logout(@Body() body: RefreshRequestDto): Promise<void> {
    await this.identity.sessions.logout(body.refreshToken, new Date());
  }

  @Post('password-reset')
  @HttpCode(202)
  async requestReset(@Body() body: RequestCodeDto) {
    await this.identity.accounts.requestReset(body.phoneNumber, new Date());
    return { sent: 'if an account has this phone number, a code was texted to it; POST it to /v1/auth/password-reset/confirm' };
  }

  @Post('password-reset/confirm')
  @HttpCode(200)
  async confirmReset(@Body() body: ConfirmResetRequestDto) {
    const { accountId } = await this.identity.accounts.confirmReset(body.phoneNumber, body.code, body.password, new Date());
    await this.identity.sessions.revokeSubject(`account:${accountId}`, new Date());
    return { accountId, passwordChanged: true };
  }

  @Post('staff/login')
  @HttpCode(200)
  async staffLogin(@Body() body: StaffLoginRequestDto) {
    const subject = await this.identity.staff.staffLogin(body.username, body.password, new Date());
    return { staffId: subject.id, role: subject.role, ...(await this.identity.sessions.start(subject, new Date())) };
  }

  /** OAuth 2.0 client credentials for machine clients (the usage feed): an access token, no refresh. */
  @Post('token')
  @HttpCode(200)
  async token(@Body() body: ClientTokenRequestDto) {
    const subject = await this.identity.staff.clientLogin(body.client_id, body.client_secret);
    return { accessToken: this.identity.sessions.access(subject), tokenType: 'Bearer', expiresIn: 900, scope: subject.scopes.join(' ') };
  }
}
