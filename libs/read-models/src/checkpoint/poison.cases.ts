import { EventStore, RecordedEvent } from '@ledger/event-store';
import { CardBalanceProjection } from '../card-balance/card-balance.projection';
import { RenewalProjection } from '../renewal/renewal.projection';
import { LedgerStorage } from '../database/ledger-storage';
import { ledgerProjections } from '../ledger-projector';
import { Projection } from '../projection';
import { appendHistory } from '../read-models.cases';
import { ProjectionStatusStore } from '../status/projection-status.store';
import { ProjectionRunner } from './projection-runner';

const allEvents = (store: EventStore): Promise<RecordedEvent[]> => store.readAll({ limit: 10_000 });

/** The real card_balance projection, except that `fault` may throw instead of applying a batch. */
const faulty = (fault: (events: readonly RecordedEvent[]) => void, inner: Projection = new CardBalanceProjection()): Projection => ({
  name: inner.name,
  tables: inner.tables,
  applyBatch: async (events, em) => {
    fault(events);
    return inner.applyBatch(events, em);
  },
});

const throwingOn = (eventId: string): Projection =>
  faulty((events) => {
    if (events.some((e) => e.id === eventId)) throw new Error(`cannot handle ${eventId}`);
  });

const checkpointOf = async (storage: LedgerStorage, name: string): Promise<string | undefined> => {
  const [row] = await storage.dataSource.query('SELECT position FROM projection_checkpoint WHERE name = $1', [name]);
  return row === undefined ? undefined : String(row.position);
};

const fast = { attempts: 3, baseMs: 1, maxMs: 5 };

/** Poison events: a handler that throws sets that card aside, visibly and durably; many failing cards stop the projection. */
export const poisonCases = (open: () => Promise<LedgerStorage>): void => {
  let storage: LedgerStorage;
  let logs: string[];
  const logger = { log: (m: string) => logs.push(m), warn: (m: string) => logs.push(m), error: (m: string) => logs.push(m) };
  beforeEach(async () => {
    storage = await open();
    logs = [];
  });
  afterEach(() => storage.close());

  const asideRows = async (name: string) =>
    storage.dataSource.query('SELECT stream_id, event_id, position FROM projection_quarantine WHERE name = $1 ORDER BY stream_id', [name]);

  it('reads an old shape that cannot be upcast as stored, without stopping the log for the other cards', async () => {
    await appendHistory(storage.store, 'upcast-ok', { v1: true });
    const meta = { commandId: 'c', correlationId: 'c', causationId: 'c', actor: 'test', idempotencyKey: 'k' };
    const opened = {
      subscriptionId: 'upcast-gone',
      accountId: 'a',
      iccid: '8949020000077776666',
      region: 'EU',
      openedAt: '2026-01-01T00:00:00.000Z',
    };
    // A v1 PlanSelected whose plan has since left the catalogue: there is nothing to bring it forward with.
    const gone = {
      renewalId: 'r',
      planId: 'eu-retired-plan',
      priceMinor: 1,
      currency: 'EUR',
      paymentMethod: 'card',
      requestHash: 'h',
      selectedAt: '2026-01-01T00:00:01.000Z',
    };
    await storage.stored.appendToStream(
      'subscription-upcast-gone',
      [
        { id: '00000000-0000-4000-8000-00000000c001', type: 'SubscriptionOpened', data: opened, metadata: meta },
        { id: '00000000-0000-4000-8000-00000000c002', type: 'PlanSelected', data: gone, metadata: meta },
      ],
      'no_stream',
    );
    const events = await allEvents(storage.store);
    const planSelected = (stream: string) =>
      events.find((e) => e.streamId === stream && e.type === 'PlanSelected')!.data as Record<string, unknown>;
    expect(planSelected('subscription-upcast-ok')).toHaveProperty('price');
    expect(planSelected('subscription-upcast-gone')).toEqual(gone);
  });

  it('sets aside only the card whose event a projection cannot apply, records it, and goes on with the others', async () => {
    await appendHistory(storage.store, 'poison-a');
    await appendHistory(storage.store, 'poison-b');
    await appendHistory(storage.store, 'poison-c');
    const events = await allEvents(storage.store);
    const poison = events.find((e) => e.streamId === 'subscription-poison-b' && e.revision === 3)!;
    const runner = new ProjectionRunner(storage.store, storage.dataSource, [throwingOn(poison.id), new RenewalProjection()], {
      batchSize: 100,
      retry: fast,
      logger,
    });
    await runner.applyBatch(events);

    expect(await checkpointOf(storage, 'card_balance')).toBe(events.at(-1)!.position.toString());
    expect(await checkpointOf(storage, 'renewal')).toBe(events.at(-1)!.position.toString());
    const rows: { subscription_id: string; last_revision: number }[] = await storage.dataSource.query(
      'SELECT subscription_id, last_revision FROM card_balance ORDER BY subscription_id',
    );
    const lastOf = (card: string) => events.filter((e) => e.streamId === `subscription-${card}`).at(-1)!.revision;
    expect(rows).toEqual([
      { subscription_id: 'poison-a', last_revision: lastOf('poison-a') },
      { subscription_id: 'poison-b', last_revision: poison.revision - 1 },
      { subscription_id: 'poison-c', last_revision: lastOf('poison-c') },
    ]);
    expect(await asideRows('card_balance')).toEqual([
      { stream_id: 'subscription-poison-b', event_id: poison.id, position: expect.anything() },
    ]);
    expect(await asideRows('renewal')).toEqual([]);
    expect(runner.failures().size).toBe(0);
    expect(logs.some((l) => l.includes(poison.id) && l.includes(`position ${poison.position}`))).toBe(true);
  });

  it('skips the set-aside card from then on, across a restart, while new cards are projected', async () => {
    await appendHistory(storage.store, 'skip-a');
    const first = await allEvents(storage.store);
    await new ProjectionRunner(storage.store, storage.dataSource, [throwingOn(first[3].id), new RenewalProjection()], {
      batchSize: 100,
      retry: fast,
    }).applyBatch(first);
    await appendHistory(storage.store, 'skip-b');
    // A fresh runner (a restart) with the handler fixed still skips skip-a: its row would miss event 3.
    await new ProjectionRunner(storage.store, storage.dataSource, ledgerProjections(), { batchSize: 100, retry: fast }).applyBatch(
      (await allEvents(storage.store)).slice(first.length),
    );
    const [a] = await storage.dataSource.query("SELECT last_revision FROM card_balance WHERE subscription_id = 'skip-a'");
    expect(a.last_revision).toBe(first[3].revision - 1);
    expect(await storage.dataSource.query("SELECT 1 FROM card_balance WHERE subscription_id = 'skip-b'")).toHaveLength(1);
  });

  it('stops the projection as a whole when more cards fail than a few events could explain', async () => {
    await appendHistory(storage.store, 'sys-a');
    await appendHistory(storage.store, 'sys-b');
    const events = await allEvents(storage.store);
    const broken = faulty((batch) => {
      if (batch.length) throw new Error('column "x" does not exist');
    });
    const runner = new ProjectionRunner(storage.store, storage.dataSource, [broken], {
      batchSize: 100,
      retry: fast,
      maxQuarantinedStreams: 1,
    });
    await runner.applyBatch(events);
    expect(await asideRows('card_balance')).toHaveLength(1);
    expect(runner.failures().get('card_balance')).toMatchObject({ error: 'Error: column "x" does not exist' });
    const status = (await new ProjectionStatusStore(storage.dataSource).read()).find((s) => s.name === 'card_balance');
    expect(status?.state).toBe('failed');
  });

  it('retries a transient database error and carries on when it clears', async () => {
    await appendHistory(storage.store, 'blip');
    let calls = 0;
    const flaky = faulty(() => {
      if (++calls <= 2) throw Object.assign(new Error('could not serialize access'), { code: '40001' });
    });
    const runner = new ProjectionRunner(storage.store, storage.dataSource, [flaky], { batchSize: 100, retry: fast, logger });
    await runner.applyBatch(await allEvents(storage.store));
    expect(calls).toBe(3);
    expect(runner.failures().size).toBe(0);
    expect(await checkpointOf(storage, 'card_balance')).toBe((await allEvents(storage.store)).at(-1)!.position.toString());
  });

  it('gives up on a transient error that does not clear, after a bounded number of attempts, at the first event', async () => {
    await appendHistory(storage.store, 'outage');
    const events = await allEvents(storage.store);
    let calls = 0;
    const down = faulty(() => {
      calls++;
      throw Object.assign(new Error('connection terminated unexpectedly'), { code: '08006' });
    });
    const runner = new ProjectionRunner(storage.store, storage.dataSource, [down], { batchSize: 100, retry: fast });
    await runner.applyBatch(events);
    expect(runner.failures().get('card_balance')).toMatchObject({
      eventId: events[0].id,
      error: 'Error: connection terminated unexpectedly',
    });
    // 3 on the whole batch, then 2 per bisection level (8 events: 3 levels) and 3 on the single event.
    expect(calls).toBeLessThanOrEqual(3 + 2 * 3 + 3);
  });

  it('a running runner whose every projection stopped reports failed, with the event', async () => {
    await appendHistory(storage.store, 'live-poison');
    const events = await allEvents(storage.store);
    const runner = new ProjectionRunner(storage.store, storage.dataSource, [throwingOn(events[5].id)], {
      batchSize: 2,
      retry: fast,
      logger,
      maxQuarantinedStreams: 0,
    });
    await runner.start();
    for (let i = 0; i < 200 && runner.state !== 'failed'; i++) await new Promise((r) => setTimeout(r, 20));
    await runner.stop();
    expect(runner.state).toBe('failed');
    expect(runner.lastError).toMatchObject({ eventId: events[5].id, position: events[5].position.toString() });
    const status = (await new ProjectionStatusStore(storage.dataSource).read()).find((s) => s.name === 'card_balance');
    expect(status?.state).toBe('failed');
  });
};
