import { DataSource } from 'typeorm';
import { CheckedEventStore, EventStore, EventToAppend, RecordedEvent } from '@ledger/event-store';
import { CardBalanceEntity } from './card-balance/card-balance.entity';
import { RenewalEntity } from './renewal/renewal.entity';
import { CheckpointEntity } from './checkpoint/checkpoint.entity';
import { ProjectionRunner } from './checkpoint/projection-runner';
import { LedgerStorage } from './database/ledger-storage';
import { ledgerProjections } from './ledger-projector';
import { Projection } from './projection';

const meta = { commandId: 'c', correlationId: 'c', causationId: 'c', actor: 'test', idempotencyKey: 'k' };
let seq = 0;
const ev = (type: string, data: unknown): EventToAppend => ({
  id: `00000000-0000-4000-8000-${String(++seq).padStart(12, '0')}`,
  type,
  data,
  metadata: meta,
});

/** A card opened, renewed twice (one declined), used, and forfeited: every event type once or more. */
export const appendHistory = async (
  store: EventStore,
  subscriptionId: string,
  shape: { v1?: boolean; renewalPrefix?: string } = {},
): Promise<void> => {
  const price = { amountMinor: 299, currency: 'EUR' };
  const current = (renewalId: string) => ({
    renewalId,
    planId: 'eu-daily-1gb',
    region: 'EU',
    kind: 'daily',
    days: 1,
    dataMb: 1024,
    listPrice: price,
    discounts: [],
    price,
    paymentMethod: 'card',
    requestHash: renewalId,
    selectedAt: '2026-01-01T00:00:00.000Z',
  });
  // PlanSelected as first written: a flat price and only the plan id (upcast on read).
  const v1 = (renewalId: string) => ({
    renewalId,
    planId: 'eu-daily-1gb',
    priceMinor: 299,
    currency: 'EUR',
    paymentMethod: 'card',
    requestHash: renewalId,
    selectedAt: '2026-01-01T00:00:00.000Z',
  });
  const r = (id: string) => `${shape.renewalPrefix ?? ''}${id}`;
  const renewal = (renewalId: string) => (shape.v1 ? v1 : current)(r(renewalId));
  // Histories may hold shapes earlier versions wrote (v1), which today's append path refuses: plant them below it.
  await (store instanceof CheckedEventStore ? store.inner : store).appendToStream(
    `subscription-${subscriptionId}`,
    [
      ev('SubscriptionOpened', {
        subscriptionId,
        accountId: 'acc',
        iccid: '8949020000012345678',
        region: 'EU',
        openedAt: '2026-01-01T00:00:00.000Z',
      }),
      ev('PlanSelected', renewal('r1')),
      ev('PaymentFailed', { renewalId: r('r1'), paymentId: 'p1', reason: 'card_declined', failedAt: '2026-01-01T00:00:01.000Z' }),
      ev('PlanSelected', renewal('r2')),
      ev('PaymentCaptured', {
        renewalId: r('r2'),
        paymentId: 'p2',
        amount: price,
        method: 'card',
        providerReference: 'ch_1',
        capturedAt: '2026-01-01T00:00:02.000Z',
      }),
      ev('ValidityExtended', {
        renewalId: r('r2'),
        previousExpiry: null,
        newExpiry: '2026-01-02T00:00:02.000Z',
        dataMbGranted: 1024,
        bucketId: 'b-r2',
      }),
      ev('DataUsageRecorded', { usageId: 'u1', mb: 100, from: [{ bucketId: 'b-r2', mb: 100 }], recordedAt: '2026-01-01T01:00:00.000Z' }),
      ev('DataExpired', { bucketId: 'b-r2', mbForfeited: 924, expiredAt: '2026-01-02T00:00:02.000Z' }),
    ],
    'any',
  );
};

const snapshot = async (ds: DataSource) => ({
  balances: await ds.getRepository(CardBalanceEntity).find({ order: { subscriptionId: 'ASC' } }),
  renewals: await ds.getRepository(RenewalEntity).find({ order: { renewalId: 'ASC' } }),
});

const allEvents = (store: EventStore): Promise<RecordedEvent[]> => store.readAll({ limit: 10_000, unsettled: true });

/** Projection behaviour shared by the PGlite spec and the PostgreSQL int-spec. */
export const readModelCases = (open: () => Promise<LedgerStorage>): void => {
  let storage: LedgerStorage;
  beforeEach(async () => {
    storage = await open();
  });
  afterEach(() => storage.close());

  it('projects balance, expiry and renewal status from a history', async () => {
    await appendHistory(storage.store, 'card-1');
    await new ProjectionRunner(storage.store, storage.dataSource, ledgerProjections(), { batchSize: 3 }).applyBatch(
      await allEvents(storage.store),
    );
    const { balances, renewals } = await snapshot(storage.dataSource);
    expect(balances[0]).toMatchObject({
      grantedMb: 1024,
      usedMb: 100,
      forfeitedMb: 924,
      buckets: [],
      plansBought: 1,
      pendingRenewalId: null,
      lastRevision: 7,
    });
    expect(renewals.map((r) => [r.renewalId, r.status, r.reason])).toEqual([
      ['r1', 'failed', 'card_declined'],
      ['r2', 'completed', null],
    ]);
  });

  it('projects an old PlanSelected shape (upcast on read) exactly as the current one', async () => {
    await appendHistory(storage.store, 'card-old', { v1: true, renewalPrefix: 'old-' });
    await appendHistory(storage.store, 'card-new', { renewalPrefix: 'new-' });
    await new ProjectionRunner(storage.store, storage.dataSource, ledgerProjections(), { batchSize: 100 }).applyBatch(
      await allEvents(storage.store),
    );
    const { balances, renewals } = await snapshot(storage.dataSource);
    const card = (id: string) => {
      const { subscriptionId, lastPosition, ...rest } = balances.find((b) => b.subscriptionId === id)!;
      return rest;
    };
    const renewal = (prefix: string) =>
      renewals
        .filter((x) => x.renewalId.startsWith(prefix))
        .map(({ renewalId, subscriptionId, lastPosition, ...rest }) => ({ ...rest, id: renewalId.slice(prefix.length) }));
    expect(card('card-old')).toEqual(card('card-new'));
    expect(renewal('old-')).toEqual(renewal('new-'));
    expect(renewal('old-')).toHaveLength(2);
  });

  it('changes nothing when the same events are delivered twice', async () => {
    await appendHistory(storage.store, 'card-2');
    const events = await allEvents(storage.store);
    const projections = ledgerProjections();
    await storage.dataSource.transaction(async (em) => {
      for (const p of projections) await p.applyBatch(events, em);
    });
    const once = await snapshot(storage.dataSource);
    await storage.dataSource.transaction(async (em) => {
      for (const p of projections) await p.applyBatch(events, em);
    });
    await storage.dataSource.transaction(async (em) => {
      for (const p of projections) await p.applyBatch(events.slice(2, 5), em);
    });
    expect(await snapshot(storage.dataSource)).toEqual(once);
  });

  it('commits rows and checkpoint together: a handler that throws leaves none of its writes behind', async () => {
    await appendHistory(storage.store, 'card-3');
    const failing: Projection = {
      name: 'failing',
      tables: [],
      applyBatch: async (_events, em) => {
        await em.query("INSERT INTO account_contact (account_id, phone_number, created_at) VALUES ('half-written', '+49', now())");
        throw new Error('poison');
      },
    };
    const runner = new ProjectionRunner(storage.store, storage.dataSource, [...ledgerProjections(), failing], {
      batchSize: 100,
      retry: { attempts: 1 },
      maxQuarantinedStreams: 0,
    });
    await runner.applyBatch(await allEvents(storage.store));
    expect(await storage.dataSource.query("SELECT * FROM account_contact WHERE account_id = 'half-written'")).toEqual([]);
    const checkpoints = await storage.dataSource.getRepository(CheckpointEntity).find({ order: { name: 'ASC' } });
    expect(String(checkpoints.find((c) => c.name === 'failing')?.position)).toBe('0');
    expect((await snapshot(storage.dataSource)).balances).toHaveLength(1);
  });

  it('resumes from its checkpoint after a restart and ends where a single run ends', async () => {
    await appendHistory(storage.store, 'card-4');
    const first = new ProjectionRunner(storage.store, storage.dataSource, ledgerProjections(), { batchSize: 3 });
    await first.applyBatch((await allEvents(storage.store)).slice(0, 3));
    await appendHistory(storage.store, 'card-5');
    const second = new ProjectionRunner(storage.store, storage.dataSource, ledgerProjections(), { batchSize: 3 });
    await second.start();
    const end = (await allEvents(storage.store)).at(-1)!.position;
    for (let i = 0; i < 100 && second.position() < end; i++) await new Promise((r) => setTimeout(r, 20));
    await second.stop();
    expect(second.position()).toBe(end);
    const resumed = await snapshot(storage.dataSource);
    const cards = resumed.balances.map((b) => [b.subscriptionId, b.grantedMb, b.usedMb, b.forfeitedMb, b.lastRevision]);
    expect(cards).toEqual([
      ['card-4', 1024, 100, 924, 7],
      ['card-5', 1024, 100, 924, 7],
    ]);
  });
};
