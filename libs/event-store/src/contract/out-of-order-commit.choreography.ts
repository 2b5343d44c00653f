import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { RecordedEvent } from '../port/event-store.port';
import { PostgresEventStore, PostgresEventStoreOptions } from '../postgres/postgres-event-store';
import { anEvent } from './contract-fixtures';
import { SubscriptionProbe } from './subscription-probe';
import { waitUntil } from './wait-until';

export interface OutOfOrderOutcome {
  /** A: the append held open after its insert. B: the append made meanwhile. C: appended after both. */
  readonly a: RecordedEvent;
  readonly b: RecordedEvent;
  readonly c: RecordedEvent;
  /** Whether B had committed before A was let go. */
  readonly bCommittedFirst: boolean;
  /** What the subscriber delivered, in delivery order. */
  readonly received: readonly RecordedEvent[];
}

const lockWaiters = async (pool: Pool): Promise<number> => {
  const { rows } = await pool.query(
    `SELECT count(*)::int AS n FROM pg_stat_activity
      WHERE datname = current_database() AND wait_event_type = 'Lock' AND pid <> pg_backend_pid()`,
  );
  return rows[0].n as number;
};

const settle = <T>(promise: Promise<T>, what: string): Promise<T> =>
  Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} did not finish`)), 10_000).unref())]);

/**
 * Transaction A inserts (drawing the lower position) and is held open by the `beforeCommit` seam;
 * B appends to another stream meanwhile; the subscriber completes a poll after B has either
 * committed or queued behind A; only then does A commit, and C follows as a marker. Every step waits
 * for a state, never for time, so the outcome depends only on how the store orders commits.
 */
export const runOutOfOrderCommit = async (
  url: string,
  options: Pick<PostgresEventStoreOptions, 'boundedReads'> = {},
): Promise<OutOfOrderOutcome> => {
  const prefix = `ooo${randomUUID().slice(0, 8)}`;
  const [streamA, streamB, streamC] = ['a', 'b', 'c'].map((s) => `${prefix}-${s}`);
  let aInserted = false;
  let releaseA!: () => void;
  const aHeld = new Promise<void>((resolve) => (releaseA = resolve));
  const pool = new Pool({ connectionString: url, max: 10 }).on('error', () => undefined);
  const store = new PostgresEventStore(pool, {
    ...options,
    pollMs: 10,
    beforeCommit: async (streamId) => {
      if (streamId !== streamA) return;
      aInserted = true;
      await aHeld;
    },
  });
  let probe: SubscriptionProbe | undefined;
  try {
    await store.migrate();
    const readAll = store.readAll.bind(store);
    let pollsStarted = 0;
    let lastPollCompleted = 0;
    jest.spyOn(store, 'readAll').mockImplementation(async (options) => {
      const ticket = ++pollsStarted;
      const page = await readAll(options);
      lastPollCompleted = Math.max(lastPollCompleted, ticket);
      return page;
    });
    probe = new SubscriptionProbe(store.subscribeToAll({ filter: { streamPrefixes: [`${prefix}-`] } }));

    const appendA = store.appendToStream(streamA, [anEvent('A')], 'no_stream');
    appendA.catch(() => undefined);
    await waitUntil(() => aInserted, 'A to insert and hold its transaction open');

    let bCommitted = false;
    const appendB = store.appendToStream(streamB, [anEvent('B')], 'no_stream').then((r) => ((bCommitted = true), r));
    appendB.catch(() => undefined);
    await waitUntil(async () => bCommitted || (await lockWaiters(pool)) > 0, 'B to commit or to queue behind A');
    const bCommittedFirst = bCommitted;

    const mark = pollsStarted;
    await waitUntil(() => lastPollCompleted > mark, 'a subscriber poll that started after B committed or queued');

    releaseA();
    await settle(Promise.all([appendA, appendB]), 'appends A and B');
    const marker = anEvent('C');
    await store.appendToStream(streamC, [marker], 'no_stream');
    await probe.waitFor(marker.id);

    const [[a], [b], [c]] = await Promise.all([streamA, streamB, streamC].map((s) => store.readStream(s)));
    return { a, b, c, bCommittedFirst, received: [...probe.received] };
  } finally {
    releaseA();
    await probe?.close();
    await store.close();
    await pool.end();
  }
};
