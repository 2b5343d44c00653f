import { Controller, Get, Inject, Query, Req } from '@nestjs/common';
import { FastifyRequest } from 'fastify';
import { ApiTags } from '@nestjs/swagger';
import { SandboxSms } from '@ledger/identity';
import { SANDBOX_SMS } from '../infrastructure/tokens';
import { ProblemException } from '../http/problem';
import { AuthRoute, Public } from './access.decorator';

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|::ffff:127\.\d+\.\d+\.\d+)$/;

/** What the sandbox SMS provider "sent": how tests and a local user read their code. */
@ApiTags('sandbox')
@Public()
@AuthRoute()
@Controller('v1/sandbox/sms')
export class SandboxSmsController {
  constructor(@Inject(SANDBOX_SMS) private readonly sms: SandboxSms) {}

  @Get()
  list(@Req() req: FastifyRequest, @Query('phoneNumber') phoneNumber?: string) {
    // It hands out login codes: only to the machine the ledger runs on, never through a network.
    const from = req.raw.socket.remoteAddress ?? '';
    if (!LOOPBACK.test(from))
      throw new ProblemException(403, 'FORBIDDEN', 'the sandbox SMS sink answers only on the machine the ledger runs on');
    if (typeof phoneNumber !== 'string' || !/^\+[1-9]\d{6,14}$/.test(phoneNumber)) {
      throw new ProblemException(400, 'VALIDATION_FAILED', 'phoneNumber must be in E.164 format, e.g. +491701234567', 'phoneNumber');
    }
    return { messages: this.sms.messagesTo(phoneNumber) };
  }
}
