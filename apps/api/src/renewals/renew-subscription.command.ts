import { Command } from '@nestjs/cqrs';
import { PaymentMethodType } from '@ledger/domain';
import { RequestContext } from '../http/request-context';

export interface RenewalAnswer {
  renewalId: string;
  status: 'pending' | 'completed' | 'failed' | 'abandoned';
  reason?: string;
  /** While pending: what the owner must do at the provider before the payment can complete. */
  nextAction?: { type: 'approve' | 'three_d_secure'; url: string };
  /** Where to poll the renewal until it is no longer pending. */
  links: { self: string };
  /** Log position of the card when answered; pass it as minPosition to read your write. */
  position: string;
}

/** Plain values only: the controller maps the HTTP body onto them. */
export class RenewSubscriptionCommand extends Command<RenewalAnswer> {
  constructor(
    readonly subscriptionId: string,
    readonly idempotencyKey: string,
    readonly planId: string,
    readonly method: PaymentMethodType,
    readonly token: string,
    readonly promotionCode: string | undefined,
    readonly ctx: RequestContext,
  ) {
    super();
  }
}
