import { DataSource } from 'typeorm';
import { EventStore, RecordedEvent } from '@ledger/event-store';
import { Projection, REBUILD_SUFFIX } from '../projection';
import { ledgerProjection } from '../ledger-projector';
import { ProjectionRunner, RunnerLogger } from '../checkpoint/projection-runner';
import { RetryPolicy } from '../checkpoint/transient-error';
import { quoteIdent as q } from '../database/row-sql';
import { ProjectionStatusStore } from '../status/projection-status.store';
import { copyAccess, createShadowIndexes, createShadowTable } from './shadow-tables';
import { ProjectionComparison, trySwitch } from './switch-transaction';

export interface RebuildOptions {
  readonly batchSize?: number;
  /** Switch even when the rebuilt rows differ from the live ones. */
  readonly force?: boolean;
  readonly maxDifferences?: number;
  readonly maxRounds?: number;
  readonly logger?: RunnerLogger;
  readonly retry?: Partial<RetryPolicy>;
}

export interface RebuildReport {
  readonly names: readonly string[];
  readonly switched: boolean;
  readonly position: string;
  readonly comparisons: readonly ProjectionComparison[];
  readonly events: number;
  readonly rowsWritten: number;
  readonly transactions: number;
  readonly catchUpSeconds: number;
  readonly totalSeconds: number;
}

export class RebuildFailedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RebuildFailedError';
  }
}

const seconds = (since: number): number => (performance.now() - since) / 1000;

const readTail = async (store: EventStore, from: bigint, pageSize: number): Promise<RecordedEvent[]> => {
  const tail: RecordedEvent[] = [];
  for (let position = from; ;) {
    const page = await store.readAll({ fromPosition: position, limit: pageSize });
    if (page.length === 0) return tail;
    tail.push(...page);
    position = page[page.length - 1].position;
  }
};

interface Context {
  readonly store: EventStore;
  readonly dataSource: DataSource;
  readonly live: readonly Projection[];
  readonly shadow: readonly Projection[];
  readonly batchSize: number;
  readonly options: RebuildOptions;
  readonly started: number;
}

/**
 * Rebuilds projections from position zero into `<table>__rebuild` while the live tables keep
 * serving, then switches them in one transaction once both agree (see trySwitch). The shadow is
 * left in place when the switch is refused, for inspection; the next rebuild starts it afresh.
 */
export const rebuildProjections = async (
  storage: { readonly store: EventStore; readonly dataSource: DataSource },
  names: readonly string[],
  options: RebuildOptions = {},
): Promise<RebuildReport> => {
  const started = performance.now();
  const live = names.map((n) => ledgerProjection(n));
  const shadow = names.map((n) => ledgerProjection(n, REBUILD_SUFFIX));
  const shadowNames = shadow.map((p) => p.name);
  const statuses = new ProjectionStatusStore(storage.dataSource);
  await storage.dataSource.transaction(async (em) => {
    for (const p of live) for (const t of p.tables) await createShadowTable(em, t);
    await em.query('DELETE FROM projection_checkpoint WHERE name = ANY($1::text[])', [shadowNames]);
    await em.query('DELETE FROM projection_quarantine WHERE name = ANY($1::text[])', [shadowNames]);
  });
  await statuses.markRunning(shadowNames);
  const heartbeat = setInterval(() => statuses.heartbeat(shadowNames).catch(() => undefined), 10_000);
  heartbeat.unref();
  try {
    const report = await buildAndSwitch({ ...storage, live, shadow, batchSize: options.batchSize ?? 10_000, options, started });
    if (!report.switched) await statuses.markStopped(shadowNames);
    return report;
  } finally {
    clearInterval(heartbeat);
  }
};

const buildAndSwitch = async ({ store, dataSource, live, shadow, batchSize, options, started }: Context): Promise<RebuildReport> => {
  const log = (m: string): void => options.logger?.log(m);
  const runner = new ProjectionRunner(store, dataSource, shadow, {
    batchSize,
    logger: options.logger,
    retry: options.retry,
    heartbeatMs: 0,
  });
  const failIfStopped = (): void => {
    const [failed] = [...runner.failures()];
    if (failed)
      throw new RebuildFailedError(
        `${failed[0]} stopped at event ${failed[1].eventId} (position ${failed[1].position}): ${failed[1].error}`,
      );
  };
  log(
    `rebuilding ${live.map((p) => p.name).join(', ')} from position 0 into ${shadow.flatMap((p) => p.tables.map((t) => t.name)).join(', ')}`,
  );
  await runner.catchUp();
  failIfStopped();
  const catchUpSeconds = seconds(started);
  log(`caught up to position ${runner.position()}: ${runner.stats.events} events in ${catchUpSeconds.toFixed(1)} s; building indexes`);
  await dataSource.transaction(async (em) => {
    for (const p of live) {
      for (const t of p.tables) {
        await createShadowIndexes(em, t);
        await copyAccess(em, t);
      }
    }
  });

  // Catching the live tables up too is safe beside a projector elsewhere: both lock the checkpoint rows first.
  const liveRunner = new ProjectionRunner(store, dataSource, live, {
    batchSize,
    logger: options.logger,
    retry: options.retry,
    heartbeatMs: 0,
  });
  for (let round = 1; ; round++) {
    await liveRunner.catchUp();
    await runner.catchUp();
    failIfStopped();
    const liveFailures = new Map(
      [...liveRunner.failures()].map(([n, f]) => [n, `stopped at event ${f.eventId} (position ${f.position}): ${f.error}`]),
    );
    const liveRunning = liveFailures.size < live.length;
    const from = liveRunning && liveRunner.position() < runner.position() ? liveRunner.position() : runner.position();
    const tail = await readTail(store, from, batchSize);
    const force = options.force ?? false;
    const outcome = await trySwitch(dataSource, {
      live,
      shadow,
      tail,
      tailFrom: from,
      liveFailures,
      force,
      maxDifferences: options.maxDifferences ?? 20,
    });
    if (outcome.kind === 'done') {
      // The new tables have no planner statistics yet; without them the first queries may pick bad plans.
      if (outcome.switched) for (const p of live) for (const t of p.tables) await dataSource.query(`ANALYZE ${q(t.name)}`);
      log(`${outcome.switched ? 'switched' : 'did not switch'} at position ${outcome.position}`);
      const { events, rows, transactions } = runner.stats;
      return {
        names: live.map((p) => p.name),
        switched: outcome.switched,
        position: outcome.position.toString(),
        comparisons: outcome.comparisons,
        events,
        rowsWritten: rows,
        transactions,
        catchUpSeconds,
        totalSeconds: seconds(started),
      };
    }
    if (round >= (options.maxRounds ?? 10)) throw new RebuildFailedError(`no switch after ${round} rounds: ${outcome.reason}`);
    log(`switch round ${round}: ${outcome.reason}; catching up again`);
  }
};
