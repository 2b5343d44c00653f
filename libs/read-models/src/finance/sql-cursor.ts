import { QueryRunner } from 'typeorm';

/**
 * Rows of one query, `batch` at a time, through a server-side cursor: one sort on the server, and
 * memory here bounded by the batch however many rows there are. Needs an open transaction on `qr`.
 */
export async function* cursorRows<T = Record<string, any>>(
  qr: QueryRunner,
  name: string,
  sql: string,
  params: unknown[],
  batch = 5_000,
): AsyncIterable<T[]> {
  await qr.query(`DECLARE ${name} NO SCROLL CURSOR FOR ${sql}`, params);
  try {
    for (;;) {
      const rows: T[] = await qr.query(`FETCH ${batch} FROM ${name}`);
      if (rows.length) yield rows;
      if (rows.length < batch) return;
    }
  } finally {
    await qr.query(`CLOSE ${name}`);
  }
}

/** Collects items and writes them `size` at a time: set-based inserts without holding them all. */
export class Batches<T> {
  private items: T[] = [];

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly size = 5_000,
  ) {}

  async push(item: T): Promise<void> {
    this.items.push(item);
    if (this.items.length >= this.size) await this.flush();
  }

  async flush(): Promise<void> {
    if (!this.items.length) return;
    const items = this.items;
    this.items = [];
    await this.write(items);
  }
}

/** A timestamptz column as the ISO 8601 text JavaScript writes (UTC, milliseconds): no Date round trip per row. */
export const isoText = (column: string): string => `to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
