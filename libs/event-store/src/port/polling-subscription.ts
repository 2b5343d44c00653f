import { AllSubscription, RecordedEvent, SubscribeOptions } from './event-store.port';
import { Pause } from './retry';

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

/** A wake-up signal for subscribers in the same process as the writer: a Pause the writer cuts short. */
export class LocalWakeup extends Pause implements Wakeup {
  notify(): void {
    this.wake();
  }

  wait(ms: number): Promise<void> {
    return this.sleep(ms);
  }
}
