import { Controller, HttpCode, Inject, Logger, Post, Req } from '@nestjs/common';
import { ApiExcludeEndpoint } from '@nestjs/swagger';
import { FastifyRequest } from 'fastify';
import { LEDGER_CONFIG, LedgerConfig } from '@ledger/config';
import { deterministicId } from '@ledger/event-store';
import { PaymentProcessRunner, ProviderEvent, WebhookSignatureError, providerSnapshot, verifyWebhook } from '@ledger/payments';
import { paymentProcessStreamId } from '@ledger/domain';
import { Public } from '../auth/access.decorator';
import { RawBodyRequest } from '../http/json-body';
import { ProblemException } from '../http/problem';
import { requestContext } from '../http/request-context';
import { PAYMENT_PROCESSES } from '../infrastructure/tokens';

/**
 * The provider's webhooks. Authenticated by their signature (HMAC over `t.body`, five minutes of
 * tolerance), not by a token; deduplicated by the provider's event id (the event's id in our log
 * derives from it, and the process remembers the ids it took in); taken in any order (the process
 * only ever moves a payment forward). Answered 200 once stored, so the provider stops retrying.
 */
@Controller('v1/webhooks')
export class PspWebhooksController {
  private readonly logger = new Logger('Webhooks');

  constructor(
    @Inject(PAYMENT_PROCESSES) private readonly processes: PaymentProcessRunner,
    @Inject(LEDGER_CONFIG) private readonly config: LedgerConfig,
  ) {}

  @Post('psp')
  @HttpCode(200)
  @Public()
  @ApiExcludeEndpoint()
  async receive(@Req() req: FastifyRequest): Promise<{ received: true; taken: boolean }> {
    const event = this.verified(req);
    const payment = event.data.payment;
    const paymentId = payment.reference;
    const known = await this.processes.state(paymentId);
    if (!known.request) {
      // A payment the ledger never started: nothing to feed; finance's reconciliation reports it.
      this.logger.warn(`webhook ${event.id} (${event.type}) for unknown payment reference ${paymentId}`);
      return { received: true, taken: false };
    }
    const ctx = requestContext(req, 'provider:psp');
    await this.processes.accept(
      paymentId,
      { type: 'ReceiveWebhook', eventId: event.id, payment: providerSnapshot(payment), now: ctx.now },
      { commandId: ctx.commandId, correlationId: ctx.correlationId, causationId: event.id, actor: ctx.actor, idempotencyKey: event.id },
      deterministicId(paymentProcessStreamId(paymentId), 'webhook', event.id),
    );
    return { received: true, taken: true };
  }

  private verified(req: FastifyRequest): ProviderEvent {
    const raw = (req as RawBodyRequest).rawBody;
    const header = req.headers['psp-signature'];
    try {
      const event = verifyWebhook(
        raw ?? '',
        typeof header === 'string' ? header : undefined,
        this.config.payments.webhookSecret,
        Date.now() / 1000,
      );
      if (typeof event.data?.payment?.reference !== 'string') throw new WebhookSignatureError('body', 'the event names no payment');
      return event;
    } catch (err) {
      if (!(err instanceof WebhookSignatureError)) throw err;
      throw new ProblemException(401, 'WEBHOOK_SIGNATURE_INVALID', `webhook refused: ${err.message}`, 'Psp-Signature', {
        reason: err.reason,
      });
    }
  }
}
