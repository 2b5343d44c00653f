import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import {
  Discount,
  DomainError,
  Money,
  PLAN_CATALOGUE,
  PlanKind,
  PromotionRules,
  accountDecider,
  accountStreamId,
  firstOrderEligible,
  quotePrice,
  renewalPeriod,
  subscriptionDecider,
  subscriptionStreamId,
} from '@ledger/domain';
import { StreamStates } from '@ledger/event-store';
import { PROMOTION_RULES, STREAM_STATES } from '../infrastructure/tokens';

export interface Offer {
  planId: string;
  kind: PlanKind;
  days: number;
  dataMb: number;
  listPrice: Money;
  discounts: Discount[];
  price: Money;
  /** If bought now: when its days start and end (its data is usable at once, until `endsAt`). */
  startsAt: string;
  endsAt: string;
}

export interface Offers {
  region: string;
  /** The extension rule, in one sentence. */
  rule: string;
  offers: Offer[];
}

export class GetOffersQuery extends Query<Offers> {
  constructor(
    readonly subscriptionId: string,
    readonly promotionCode: string | undefined,
    readonly now: string,
  ) {
    super();
  }
}

export const EXTENSION_RULE =
  "A plan's days start when the card's current validity ends (or at payment, when it has none left); its data can be used at once and lasts until the new end.";

/** What each of the card's region's plans would cost now, promotions applied, and what it would extend: before paying. */
@QueryHandler(GetOffersQuery)
export class GetOffersHandler implements IQueryHandler<GetOffersQuery> {
  constructor(
    @Inject(STREAM_STATES) private readonly states: StreamStates,
    @Inject(PROMOTION_RULES) private readonly rules: PromotionRules,
  ) {}

  async execute({ subscriptionId, promotionCode, now }: GetOffersQuery): Promise<Offers> {
    const { state: card } = await this.states.current(subscriptionStreamId(subscriptionId), subscriptionDecider);
    if (card.status !== 'Active') throw new DomainError('SUBSCRIPTION_NOT_FOUND', `subscription ${subscriptionId} does not exist`);
    const { state: account } = await this.states.current(accountStreamId(card.accountId), accountDecider);
    // A quote has no renewal yet: the first-order discount is offered while no renewal has claimed it.
    const eligible = firstOrderEligible(account, '');
    const offers = PLAN_CATALOGUE.filter((p) => p.region === card.region).map((plan): Offer => {
      const quote = quotePrice({ plan, now, firstOrderEligible: eligible, promotionCode, rules: this.rules });
      return {
        planId: plan.planId,
        kind: plan.kind,
        days: plan.days,
        dataMb: plan.dataMb,
        listPrice: quote.listPrice,
        discounts: [...quote.discounts],
        price: quote.price,
        ...renewalPeriod(card.expiresAt, now, plan.days),
      };
    });
    return { region: card.region, rule: EXTENSION_RULE, offers };
  }
}
