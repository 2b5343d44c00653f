import { EntityManager, In } from 'typeorm';
import { RecordedEvent } from '@ledger/event-store';
import { SubscriptionEvent } from '@ledger/domain';
import { Projection, isSubscriptionEvent } from '../projection';
import { RenewalEntity } from './renewal.entity';

const renewalIdOf = (e: SubscriptionEvent): string | null =>
  'renewalId' in e.data ? (e.data as { renewalId: string }).renewalId : null;

const reduce = (row: RenewalEntity | undefined, e: SubscriptionEvent, subscriptionId: string): RenewalEntity | undefined => {
  switch (e.type) {
    case 'PlanSelected': {
      if (row) return row;
      const d = e.data;
      return Object.assign(new RenewalEntity(), {
        renewalId: d.renewalId, subscriptionId, planId: d.planId, status: 'pending', reason: null,
        priceMinor: d.price.amountMinor, currency: d.price.currency, paymentMethod: d.paymentMethod, newExpiry: null,
      });
    }
    case 'PaymentFailed':
      return row && { ...row, status: 'failed', reason: e.data.reason };
    case 'ValidityExtended':
      return row && { ...row, status: 'completed', newExpiry: new Date(e.data.newExpiry) };
    default:
      return row;
  }
};

export class RenewalProjection implements Projection {
  readonly name = 'renewal';

  async applyBatch(events: readonly RecordedEvent[], em: EntityManager): Promise<void> {
    const relevant = events.filter(isSubscriptionEvent).filter((e) => renewalIdOf(e as unknown as SubscriptionEvent) !== null);
    if (relevant.length === 0) return;
    const ids = [...new Set(relevant.map((e) => renewalIdOf(e as unknown as SubscriptionEvent)!))];
    const rows = new Map((await em.findBy(RenewalEntity, { renewalId: In(ids) })).map((r) => [r.renewalId, r]));
    const touched = new Set<string>();
    for (const e of relevant) {
      const event = { type: e.type, data: e.data } as SubscriptionEvent;
      const id = renewalIdOf(event)!;
      const current = rows.get(id);
      if (current && e.revision <= current.lastRevision) continue;
      const next = reduce(current, event, e.streamId.slice('subscription-'.length));
      if (!next) continue;
      rows.set(id, { ...next, lastRevision: e.revision, lastPosition: e.position.toString() });
      touched.add(id);
    }
    if (touched.size) await em.upsert(RenewalEntity, [...touched].map((id) => rows.get(id)!), ['renewalId']);
  }
}
