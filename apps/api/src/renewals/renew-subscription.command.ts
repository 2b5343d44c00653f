import { Command } from '@nestjs/cqrs';
import { RequestContext } from '../http/request-context';
import { RenewSubscriptionRequestDto } from './renew-subscription.request.dto';

export interface RenewalAnswer {
  renewalId: string;
  status: 'pending' | 'completed' | 'failed';
  reason?: string;
  /** Log position of the renewal's last event; pass it as minPosition to read your write. */
  position: string;
}

export class RenewSubscriptionCommand extends Command<RenewalAnswer> {
  constructor(
    readonly subscriptionId: string,
    readonly idempotencyKey: string,
    readonly body: RenewSubscriptionRequestDto,
    readonly ctx: RequestContext,
  ) {
    super();
  }
}
