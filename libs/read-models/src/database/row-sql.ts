import { EntityManager } from 'typeorm';

export interface ColumnSpec {
  readonly name: string;
  /** The SQL type json_to_recordset converts the JSON value to. */
  readonly type: string;
}

const ident = (name: string): string => {
  if (!/^[a-z_][a-z0-9_]*$/.test(name)) throw new Error(`not a plain SQL identifier: ${name}`);
  return `"${name}"`;
};

export const quoteIdent = ident;

/** The rows of `table` whose `key` is one of `ids`, as plain objects keyed by column name. */
export const selectRows = async <R>(em: EntityManager, table: string, key: string, ids: readonly string[]): Promise<R[]> =>
  ids.length ? em.query(`SELECT * FROM ${ident(table)} WHERE ${ident(key)} = ANY($1::text[])`, [ids]) : [];

/**
 * One statement per table and batch, whatever its size: the rows travel as one JSON parameter
 * (no 65535-parameter ceiling, no per-row entity hydration) and PostgreSQL unpacks them. The
 * WHERE keeps the row-revision rule in the database too, so a second writer can never regress a row.
 */
export const upsertRows = async (
  em: EntityManager,
  table: string,
  key: string,
  columns: readonly ColumnSpec[],
  rows: readonly object[],
): Promise<number> => {
  if (rows.length === 0) return 0;
  const t = ident(table);
  const names = columns.map((c) => ident(c.name)).join(', ');
  const types = columns.map((c) => `${ident(c.name)} ${c.type}`).join(', ');
  const updates = columns
    .filter((c) => c.name !== key)
    .map((c) => `${ident(c.name)} = EXCLUDED.${ident(c.name)}`)
    .join(', ');
  await em.query(
    `INSERT INTO ${t} (${names}) SELECT ${names} FROM json_to_recordset($1::json) AS r(${types})
     ON CONFLICT (${ident(key)}) DO UPDATE SET ${updates} WHERE ${t}.last_revision < EXCLUDED.last_revision`,
    [JSON.stringify(rows)],
  );
  return rows.length;
};
