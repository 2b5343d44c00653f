import { AllSubscription, RecordedEvent, SubscribeOptions } from './event-store.port';

export type ReadPage = (options: SubscribeOptions & { limit: number }) => Promise<RecordedEvent[]>;

export interface Wakeup {
  /** Resolves when new events may be there, or after `ms` at the latest. */
  wait(ms: number): Promise<void>;
}

/**
 * Catch-up by paging the global log: stores without a push channel poll, and an in-process
 * wake-up shortens the wait after a local append. The position only moves forward after a
 * batch was handed out, so a consumer that stops mid-way resumes from its own checkpoint.
 */
export const pollingSubscription = (readPage: ReadPage, options: SubscribeOptions, wakeup: Wakeup, pollMs = 200): AllSubscription => {
  let closed = false;
  let position = options.fromPosition;
  const limit = options.maxBatchSize ?? 500;
  async function* batches(): AsyncGenerator<readonly RecordedEvent[]> {
    while (!closed) {
      const page = await readPage({ fromPosition: position, filter: options.filter, limit });
      if (closed) return;
      if (page.length === 0) {
        await wakeup.wait(pollMs);
        continue;
      }
      position = page[page.length - 1].position;
      yield page;
    }
  }
  const iterator = batches();
  return {
    [Symbol.asyncIterator]: () => iterator,
    close: async () => {
      closed = true;
    },
  };
};

/** A wake-up signal for subscribers in the same process as the writer. */
export class LocalWakeup implements Wakeup {
  private waiters = new Set<() => void>();

  notify(): void {
    const current = this.waiters;
    this.waiters = new Set();
    current.forEach((resolve) => resolve());
  }

  wait(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.waiters.add(done);
    });
  }
}
