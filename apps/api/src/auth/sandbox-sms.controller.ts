import { Controller, Get, Inject, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { SandboxSms } from '@ledger/identity';
import { SANDBOX_SMS } from '../infrastructure/tokens';
import { ProblemException } from '../http/problem';
import { AuthRoute, Public } from './access.decorator';

/** What the sandbox SMS provider "sent": how tests and a local user read their code. Absent with a real provider. */
@ApiTags('sandbox')
@Public()
@AuthRoute()
@Controller('v1/sandbox/sms')
export class SandboxSmsController {
  constructor(@Inject(SANDBOX_SMS) private readonly sms: SandboxSms | null) {}

  @Get()
  list(@Query('phoneNumber') phoneNumber?: string) {
    if (!this.sms) throw new ProblemException(404, 'ROUTE_NOT_FOUND', 'the sandbox SMS sink is off: a real SMS provider is configured');
    if (typeof phoneNumber !== 'string' || !/^\+[1-9]\d{6,14}$/.test(phoneNumber)) {
      throw new ProblemException(400, 'VALIDATION_FAILED', 'phoneNumber must be in E.164 format, e.g. +491701234567', 'phoneNumber');
    }
    return { messages: this.sms.messagesTo(phoneNumber) };
  }
}
