import { createHash } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { quoteIdent as q } from '../database/row-sql';

/** A table as the digest names it (`logical`, the live name) and where its rows are read from. */
export interface DigestTable {
  readonly logical: string;
  readonly physical: string;
  readonly primaryKey: string;
}

export interface Digest {
  readonly sha256: string;
  readonly rows: number;
}

export interface RowDifference {
  readonly table: string;
  readonly key: string;
  /** Columns whose values differ; empty when the row exists on one side only. */
  readonly columns: readonly string[];
  readonly live: Record<string, unknown> | null;
  readonly rebuilt: Record<string, unknown> | null;
}

/** Sorted keys at every level: compares column values regardless of key order. */
export const canonicalJson = (value: unknown): string => {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    const keys = Object.keys(value).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
};

let cursors = 0;

/**
 * Every row as PostgreSQL renders it in jsonb: all columns, keys in jsonb's fixed order, numbers
 * normalised, timestamps in UTC (set here). The text is hashed as it comes, no parsing on the way,
 * in primary-key order under the "C" collation so the order is the same on every server and locale.
 * Needs a transaction (the cursor and the time zone live in it).
 */
async function* rowsInKeyOrder(em: EntityManager, table: DigestTable): AsyncGenerator<{ key: string; text: string }> {
  const cursor = `digest_${++cursors}`;
  await em.query(`SET LOCAL TIME ZONE 'UTC'`);
  await em.query(
    `DECLARE ${cursor} NO SCROLL CURSOR FOR SELECT ${q(table.primaryKey)}::text AS k, to_jsonb(t)::text AS r FROM ${q(table.physical)} t ORDER BY ${q(table.primaryKey)}::text COLLATE "C"`,
  );
  try {
    for (;;) {
      const page: { k: string; r: string }[] = await em.query(`FETCH FORWARD 5000 FROM ${cursor}`);
      if (page.length === 0) return;
      for (const p of page) yield { key: p.k, text: p.r };
    }
  } finally {
    await em.query(`CLOSE ${cursor}`);
  }
}

/** SHA-256 over `table\n` then one jsonb text line per row, for each table in turn. */
export const digestTables = async (em: EntityManager, tables: readonly DigestTable[]): Promise<Digest> => {
  const hash = createHash('sha256');
  let rows = 0;
  for (const t of tables) {
    hash.update(`${t.logical}\n`);
    for await (const { text } of rowsInKeyOrder(em, t)) {
      hash.update(text);
      hash.update('\n');
      rows++;
    }
  }
  return { sha256: hash.digest('hex'), rows };
};

/** UTF-8 byte order, which is what COLLATE "C" sorts by. */
const compareKeys = (a: string, b: string): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

/** Walks both tables in key order side by side; answers how many rows differ and the first `limit` of them. */
export const diffTables = async (
  em: EntityManager,
  live: DigestTable,
  rebuilt: DigestTable,
  limit: number,
): Promise<{ count: number; samples: RowDifference[] }> => {
  const a = rowsInKeyOrder(em, live);
  const b = rowsInKeyOrder(em, rebuilt);
  const samples: RowDifference[] = [];
  let count = 0;
  // Rows are parsed only for the samples kept: a forced switch over an empty table walks every row.
  const note = (d: () => RowDifference): void => {
    count++;
    if (samples.length < limit) samples.push(d());
  };
  let x = await a.next();
  let y = await b.next();
  while (!x.done || !y.done) {
    const order = x.done ? 1 : y.done ? -1 : compareKeys(x.value.key, y.value.key);
    if (order < 0) {
      const row = x.value!;
      note(() => ({ table: live.logical, key: row.key, columns: [], live: JSON.parse(row.text), rebuilt: null }));
      x = await a.next();
    } else if (order > 0) {
      const row = y.value!;
      note(() => ({ table: live.logical, key: row.key, columns: [], live: null, rebuilt: JSON.parse(row.text) }));
      y = await b.next();
    } else {
      const [lt, rt, key] = [x.value!.text, y.value!.text, x.value!.key];
      if (lt !== rt) {
        note(() => {
          const l = JSON.parse(lt) as Record<string, unknown>;
          const r = JSON.parse(rt) as Record<string, unknown>;
          const columns = [...new Set([...Object.keys(l), ...Object.keys(r)])]
            .filter((c) => canonicalJson(l[c]) !== canonicalJson(r[c]))
            .sort();
          return { table: live.logical, key, columns, live: l, rebuilt: r };
        });
      }
      x = await a.next();
      y = await b.next();
    }
  }
  return { count, samples };
};
