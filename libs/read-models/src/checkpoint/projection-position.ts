import { DataSource } from 'typeorm';

/** More callers are waiting for the projection than the process allows. */
export class TooManyWaitersError extends Error {
  constructor(readonly limit: number) {
    super(`${limit} requests are already waiting for the read model`);
    this.name = 'TooManyWaitersError';
  }
}

interface Waiter {
  readonly position: bigint;
  readonly done: (reached: boolean) => void;
}

/**
 * Read-your-writes for queries: the lowest checkpoint over the projections. An in-process
 * projector tells it after every commit (`advanced`), so a waiting query wakes on that
 * notification. A projector in another process can only be seen in the checkpoint table: then one
 * shared check per interval serves every waiter, so the database load does not grow with them.
 */
export class ProjectionPosition {
  private known = 0n;
  private readonly waiters = new Set<Waiter>();
  private poller: NodeJS.Timeout | null = null;
  /** Set once an in-process projector reports; the table check is then only a slow safety net. */
  private local = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly names: readonly string[],
    readonly defaultWaitMs = 5000,
    private readonly maxWaiters = 256,
    private readonly pollMs = 50,
  ) {}

  async current(): Promise<bigint> {
    const rows: { name: string; position: string }[] = await this.dataSource.query(
      'SELECT name, position FROM projection_checkpoint WHERE name = ANY($1)',
      [this.names],
    );
    const position = rows.length < this.names.length ? 0n : rows.map((r) => BigInt(r.position)).reduce((a, b) => (b < a ? b : a));
    this.advanced(position);
    return position;
  }

  /** Called by the in-process projector after each commit. */
  projected(position: bigint): void {
    this.local = true;
    this.advanced(position);
  }

  /**
   * Told by a PostgreSQL notification that a projector in another process committed: one read of
   * the table, then whoever it concerns wakes. `lost` says the notifications stopped (fast polling again).
   */
  notified(lost = false): void {
    this.local = !lost;
    if (lost) return;
    void this.current().catch(() => undefined);
  }

  /** Wakes whoever waited for up to `position`. */
  private advanced(position: bigint): void {
    if (position > this.known) this.known = position;
    // Always against `known`: a notification may have arrived between a waiter's check and its arrival.
    for (const w of this.waiters) if (w.position <= this.known) w.done(true);
  }

  /** Whether the projections have reached `position` now, without waiting. */
  async reached(position: bigint): Promise<boolean> {
    return position <= this.known || (await this.current()) >= position;
  }

  /** True when the projections reached `position` within `timeoutMs`; refuses beyond `maxWaiters`. */
  async waitFor(position: bigint, timeoutMs = this.defaultWaitMs): Promise<boolean> {
    if (await this.reached(position)) return true;
    if (this.waiters.size >= this.maxWaiters) throw new TooManyWaitersError(this.maxWaiters);
    return new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => waiter.done(false), timeoutMs);
      const waiter: Waiter = {
        position,
        done: (reached) => {
          clearTimeout(timer);
          this.waiters.delete(waiter);
          if (this.waiters.size === 0) this.stopPolling();
          resolve(reached);
        },
      };
      this.waiters.add(waiter);
      if (position <= this.known) return waiter.done(true);
      this.startPolling();
    });
  }

  private startPolling(): void {
    if (this.poller) return;
    this.poller = setInterval(() => void this.current().catch(() => undefined), this.local ? 1000 : this.pollMs);
    this.poller.unref();
  }

  private stopPolling(): void {
    if (this.poller) clearInterval(this.poller);
    this.poller = null;
  }

  /** Ends every wait (as not reached): used on shutdown. */
  close(): void {
    for (const w of this.waiters) w.done(false);
    this.stopPolling();
  }
}
