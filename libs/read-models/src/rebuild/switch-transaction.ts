import { switchQuarantine } from '../status/quarantine.store';
import { DataSource, EntityManager } from 'typeorm';
import { RecordedEvent } from '@ledger/event-store';
import { Projection } from '../projection';
import { quoteIdent as q } from '../database/row-sql';
import { Digest, DigestTable, RowDifference, diffTables, digestTables } from '../digest/read-model-digest';
import { describeError, rootCause } from '../checkpoint/transient-error';
import { swapShadowTable } from './shadow-tables';

export interface ProjectionComparison {
  readonly name: string;
  readonly live: Digest;
  readonly rebuilt: Digest;
  /** Why the live projection could not be brought to the comparison position, if it could not. */
  readonly liveError: string | null;
  readonly differences: { readonly count: number; readonly samples: readonly RowDifference[] };
}

export interface SwitchInput {
  readonly live: readonly Projection[];
  readonly shadow: readonly Projection[];
  /** Every event after `tailFrom`, read before the transaction (PGlite has one connection to read with). */
  readonly tail: readonly RecordedEvent[];
  readonly tailFrom: bigint;
  readonly liveFailures: ReadonlyMap<string, string>;
  readonly force: boolean;
  readonly maxDifferences: number;
}

export type SwitchOutcome =
  | { readonly kind: 'retry'; readonly reason: string }
  | { readonly kind: 'done'; readonly switched: boolean; readonly position: bigint; readonly comparisons: readonly ProjectionComparison[] };

/** How long the switch may wait for a lock before it gives up and catches up again, rather than queue the API behind it. */
const LOCK_TIMEOUT = '5s';

const digestTablesOf = (logical: Projection, physical: Projection): DigestTable[] =>
  physical.tables.map((t, i) => ({ logical: logical.tables[i].name, physical: t.name, primaryKey: t.primaryKey }));

const applyTail = async (em: EntityManager, p: Projection, tail: readonly RecordedEvent[], from: bigint, to: bigint): Promise<void> => {
  const events = tail.filter((e) => e.position > from && e.position <= to);
  if (events.length) await p.applyBatch(events, em);
};

/**
 * One transaction: lock the checkpoints (runners elsewhere wait at the start of their next batch,
 * readers do not), bring live and shadow to the same position, compare their digests, and only
 * when they agree (or `force`) take the tables' exclusive locks for the few statements of the swap.
 */
export const trySwitch = async (dataSource: DataSource, input: SwitchInput): Promise<SwitchOutcome> => {
  const qr = dataSource.createQueryRunner();
  await qr.connect();
  await qr.startTransaction();
  let committed = false;
  try {
    const em = qr.manager;
    await em.query(`SET LOCAL lock_timeout = '${LOCK_TIMEOUT}'`);
    const names = [...input.live, ...input.shadow].map((p) => p.name).sort();
    const rows: { name: string; position: string }[] = await em.query(
      'SELECT name, position FROM projection_checkpoint WHERE name = ANY($1::text[]) ORDER BY name FOR UPDATE',
      [names],
    );
    const at = new Map(rows.map((r) => [r.name, BigInt(r.position)]));
    const pos = (p: Projection): bigint => at.get(p.name) ?? 0n;
    const comparable = [...input.shadow, ...input.live.filter((p) => !input.liveFailures.has(p.name))];
    const low = comparable.map(pos).reduce((a, b) => (b < a ? b : a));
    const position = comparable.map(pos).reduce((a, b) => (b > a ? b : a));
    const tailEnd = input.tail.at(-1)?.position ?? input.tailFrom;
    if (low < input.tailFrom || position > tailEnd)
      return { kind: 'retry', reason: 'the live projection moved past the events read for the switch' };

    const comparisons: ProjectionComparison[] = [];
    for (const [i, live] of input.live.entries()) {
      const shadow = input.shadow[i];
      await applyTail(em, shadow, input.tail, pos(shadow), position);
      let liveError = input.liveFailures.get(live.name) ?? null;
      if (!liveError) {
        await em.query('SAVEPOINT live_tail');
        try {
          await applyTail(em, live, input.tail, pos(live), position);
          await em.query('RELEASE SAVEPOINT live_tail');
        } catch (err) {
          await em.query('ROLLBACK TO SAVEPOINT live_tail');
          liveError = describeError(err);
        }
      }
      const liveTables = digestTablesOf(live, live);
      const shadowTables = digestTablesOf(live, shadow);
      const digests = { live: await digestTables(em, liveTables), rebuilt: await digestTables(em, shadowTables) };
      let differences = { count: 0, samples: [] as RowDifference[] };
      if (digests.live.sha256 !== digests.rebuilt.sha256) {
        for (const [k, t] of liveTables.entries()) {
          const d = await diffTables(em, t, shadowTables[k], input.maxDifferences);
          differences = {
            count: differences.count + d.count,
            samples: [...differences.samples, ...d.samples].slice(0, input.maxDifferences),
          };
        }
      }
      comparisons.push({ name: live.name, ...digests, liveError, differences });
    }
    const agree = comparisons.every((c) => c.live.sha256 === c.rebuilt.sha256 && c.liveError === null);
    if (!agree && !input.force) return { kind: 'done', switched: false, position, comparisons };

    const tables = [...input.live, ...input.shadow].flatMap((p) => p.tables.map((t) => q(t.name)));
    await em.query(`LOCK TABLE ${tables.join(', ')} IN ACCESS EXCLUSIVE MODE`);
    for (const live of input.live) for (const t of live.tables) await swapShadowTable(em, t);
    const moved = input.live.map((p) => ({ name: p.name, position: position.toString() }));
    await em.query(
      `INSERT INTO projection_checkpoint (name, position, updated_at) SELECT name, position, now() FROM json_to_recordset($1::json) AS c(name text, position bigint)
       ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = EXCLUDED.updated_at`,
      [JSON.stringify(moved)],
    );
    const shadowNames = input.shadow.map((p) => p.name);
    await em.query('DELETE FROM projection_checkpoint WHERE name = ANY($1::text[])', [shadowNames]);
    await em.query('DELETE FROM projection_status WHERE name = ANY($1::text[])', [shadowNames]);
    await switchQuarantine(
      em,
      input.live.map((p, i) => ({ live: p.name, shadow: input.shadow[i].name })),
    );
    await qr.commitTransaction();
    committed = true;
    return { kind: 'done', switched: true, position, comparisons };
  } catch (err) {
    if ((rootCause(err) as { code?: string } | undefined)?.code === '55P03')
      return { kind: 'retry', reason: `a lock was not granted within ${LOCK_TIMEOUT}` };
    throw err;
  } finally {
    if (!committed) await qr.rollbackTransaction().catch(() => undefined);
    await qr.release();
  }
};
