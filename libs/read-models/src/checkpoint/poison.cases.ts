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

/** Poison events: a handler that throws stops its projection at that event, visibly and durably. */
export const poisonCases = (open: () => Promise<LedgerStorage>): void => {
  let storage: LedgerStorage;
  let logs: string[];
  const logger = { log: (m: string) => logs.push(m), error: (m: string) => logs.push(m) };
  beforeEach(async () => {
    storage = await open();
    logs = [];
  });
  afterEach(() => storage.close());

  it('stops only the projection that throws, just before the offending event, and records the event', async () => {
    await appendHistory(storage.store, 'poison-a');
    await appendHistory(storage.store, 'poison-b');
    const events = await allEvents(storage.store);
    const poison = events[11];
    const runner = new ProjectionRunner(storage.store, storage.dataSource, [throwingOn(poison.id), new RenewalProjection()], {
      batchSize: 100,
      retry: fast,
      logger,
    });
    await runner.applyBatch(events);

    expect(await checkpointOf(storage, 'card_balance')).toBe(events[10].position.toString());
    expect(await checkpointOf(storage, 'renewal')).toBe(events.at(-1)!.position.toString());
    const [row] = await storage.dataSource.query("SELECT last_revision FROM card_balance WHERE subscription_id = 'poison-b'");
    expect(row.last_revision).toBe(poison.revision - 1);
    const status = (await new ProjectionStatusStore(storage.dataSource).read()).find((s) => s.name === 'card_balance');
    expect(status).toMatchObject({
      state: 'failed',
      failure: { eventId: poison.id, position: poison.position.toString(), error: `Error: cannot handle ${poison.id}` },
    });
    expect(logs.some((l) => l.includes(poison.id) && l.includes(`position ${poison.position}`))).toBe(true);
  });

  it('never skips the offending event: later batches leave the stopped projection where it stopped', async () => {
    await appendHistory(storage.store, 'skip-a');
    const first = await allEvents(storage.store);
    const runner = new ProjectionRunner(storage.store, storage.dataSource, [throwingOn(first[3].id), new RenewalProjection()], {
      batchSize: 100,
      retry: fast,
    });
    await runner.applyBatch(first);
    await appendHistory(storage.store, 'skip-b');
    await runner.applyBatch((await allEvents(storage.store)).slice(first.length));
    expect(await checkpointOf(storage, 'card_balance')).toBe(first[2].position.toString());
    expect(await storage.dataSource.query("SELECT 1 FROM card_balance WHERE subscription_id = 'skip-b'")).toEqual([]);
  });

  it('resumes from the offending event after a fix and a restart', async () => {
    await appendHistory(storage.store, 'fix-a');
    const events = await allEvents(storage.store);
    await new ProjectionRunner(storage.store, storage.dataSource, [throwingOn(events[4].id), new RenewalProjection()], {
      batchSize: 100,
      retry: fast,
    }).applyBatch(events);
    const fixed = new ProjectionRunner(storage.store, storage.dataSource, ledgerProjections(), { batchSize: 3 });
    await fixed.start();
    for (let i = 0; i < 200 && fixed.position() < events.at(-1)!.position; i++) await new Promise((r) => setTimeout(r, 20));
    await fixed.stop();
    const [row] = await storage.dataSource.query("SELECT last_revision, used_mb FROM card_balance WHERE subscription_id = 'fix-a'");
    expect(row).toEqual({ last_revision: 7, used_mb: 100 });
    const status = (await new ProjectionStatusStore(storage.dataSource).read()).find((s) => s.name === 'card_balance');
    expect(status).toMatchObject({ state: 'stopped', failure: null });
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
