/**
 * The one retry policy of the ledger: exponential backoff with jitter (half the ceiling fixed,
 * half random, so several consumers do not hammer a recovering server in step). Used by command
 * conflicts, transient database errors, the checkpointed subscription and the broker sends.
 */
export interface RetryPolicy {
  /** Attempts in all before giving up; `Infinity` for consumers that must outlast any outage. */
  readonly attempts: number;
  readonly baseMs: number;
  readonly maxMs: number;
}

/** About half a minute in all: long enough for a database failover, short enough to be noticed. */
export const DEFAULT_RETRY: RetryPolicy = { attempts: 7, baseMs: 250, maxMs: 8000 };

/** Writers that lost a revision race: a few short tries, spread so they do not collide again. */
export const CONFLICT_RETRY: RetryPolicy = { attempts: 5, baseMs: 4, maxMs: 40 };

/** The wait before retry number `attempt` (1 is the first retry). */
export const backoffDelay = (policy: Pick<RetryPolicy, 'baseMs' | 'maxMs'>, attempt: number): number => {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (Math.random() * ceiling) / 2);
};

/** Counts the retries of one operation; `reset` once it succeeded. */
export class Backoff {
  private attempt = 0;

  constructor(private readonly policy: Pick<RetryPolicy, 'baseMs' | 'maxMs'> = DEFAULT_RETRY) {}

  next(): number {
    return backoffDelay(this.policy, ++this.attempt);
  }

  reset(): void {
    this.attempt = 0;
  }
}

/** A sleep that `wake()` cuts short, so stopping does not wait out a long backoff. */
export class Pause {
  private wakers = new Set<() => void>();

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wakers.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wakers.add(done);
    });
  }

  wake(): void {
    [...this.wakers].forEach((w) => w());
  }
}
