import { DataSource } from 'typeorm';

/**
 * Read-your-writes for queries: the lowest checkpoint over the projections, read from the table
 * so it works whether the projector runs in this process or another one.
 */
export class ProjectionPosition {
  constructor(
    private readonly dataSource: DataSource,
    private readonly names: readonly string[],
    readonly defaultWaitMs = 5000,
  ) {}

  async current(): Promise<bigint> {
    const rows: { name: string; position: string }[] = await this.dataSource.query(
      'SELECT name, position FROM projection_checkpoint WHERE name = ANY($1)',
      [this.names],
    );
    if (rows.length < this.names.length) return 0n;
    return rows.map((r) => BigInt(r.position)).reduce((a, b) => (b < a ? b : a));
  }

  /** True when the projections reached `position` within `timeoutMs`. */
  async waitFor(position: bigint, timeoutMs = this.defaultWaitMs, pollMs = 20): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if ((await this.current()) >= position) return true;
      if (Date.now() >= deadline) return false;
      await new Promise((r) => setTimeout(r, pollMs));
    }
  }
}
