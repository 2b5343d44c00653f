import { EntityManager, In } from 'typeorm';
import { RecordedEvent } from '@ledger/event-store';
import { SubscriptionEvent } from '@ledger/domain';
import { Projection, isSubscriptionEvent } from '../projection';
import { CardBalanceEntity } from './card-balance.entity';

type Row = CardBalanceEntity;

const reduce = (row: Row | undefined, e: SubscriptionEvent): Row | undefined => {
  if (e.type === 'SubscriptionOpened') {
    if (row) return row;
    const d = e.data;
    return Object.assign(new CardBalanceEntity(), {
      subscriptionId: d.subscriptionId, accountId: d.accountId, iccid: d.iccid, region: d.region,
      expiresAt: null, buckets: [], grantedMb: 0, usedMb: 0, forfeitedMb: 0, plansBought: 0, pendingRenewalId: null,
    });
  }
  if (!row) return undefined;
  switch (e.type) {
    case 'PlanSelected':
      return { ...row, pendingRenewalId: e.data.renewalId };
    case 'PaymentFailed':
      return { ...row, pendingRenewalId: null };
    case 'PaymentCaptured':
      return row;
    case 'ValidityExtended': {
      const d = e.data;
      const bucket = { bucketId: d.bucketId, mbGranted: d.dataMbGranted, mbRemaining: d.dataMbGranted, expiresAt: d.newExpiry };
      return {
        ...row, expiresAt: new Date(d.newExpiry), buckets: [...row.buckets, bucket], grantedMb: row.grantedMb + d.dataMbGranted,
        plansBought: row.plansBought + 1, pendingRenewalId: null,
      };
    }
    case 'DataUsageRecorded': {
      const drawn = new Map(e.data.from.map((f) => [f.bucketId, f.mb]));
      const buckets = row.buckets.map((b) => ({ ...b, mbRemaining: b.mbRemaining - (drawn.get(b.bucketId) ?? 0) }));
      return { ...row, buckets, usedMb: row.usedMb + e.data.mb };
    }
    case 'DataExpired':
      return {
        ...row, buckets: row.buckets.filter((b) => b.bucketId !== e.data.bucketId), forfeitedMb: row.forfeitedMb + e.data.mbForfeited,
      };
  }
};

export class CardBalanceProjection implements Projection {
  readonly name = 'card_balance';

  async applyBatch(events: readonly RecordedEvent[], em: EntityManager): Promise<void> {
    const relevant = events.filter(isSubscriptionEvent);
    if (relevant.length === 0) return;
    const ids = [...new Set(relevant.map((e) => subscriptionIdOf(e)))];
    const rows = new Map((await em.findBy(CardBalanceEntity, { subscriptionId: In(ids) })).map((r) => [r.subscriptionId, r]));
    const touched = new Set<string>();
    for (const e of relevant) {
      const id = subscriptionIdOf(e);
      const current = rows.get(id);
      if (current && e.revision <= current.lastRevision) continue;
      const next = reduce(current, { type: e.type, data: e.data } as SubscriptionEvent);
      if (!next) continue;
      rows.set(id, { ...next, lastRevision: e.revision, lastPosition: e.position.toString() });
      touched.add(id);
    }
    if (touched.size) await em.upsert(CardBalanceEntity, [...touched].map((id) => rows.get(id)!), ['subscriptionId']);
  }
}

const subscriptionIdOf = (e: RecordedEvent): string => e.streamId.slice('subscription-'.length);
