import { AllSubscription, RecordedEvent } from '../port/event-store.port';
import { waitUntil } from './wait-until';

/** Drains a subscription in the background so a test can wait for, then assert on, what arrived. */
export class SubscriptionProbe {
  readonly received: RecordedEvent[] = [];
  private failure: unknown;
  private readonly drained: Promise<void>;

  constructor(private readonly subscription: AllSubscription) {
    this.drained = (async () => {
      for await (const batch of subscription) {
        this.received.push(...batch);
        // A store that answers without I/O would otherwise keep this loop in microtasks, starving
        // the timers that bound every wait: a subscription that never idles must fail, not hang.
        await new Promise((resolve) => setImmediate(resolve));
      }
    })().catch((err: unknown) => {
      this.failure = err;
    });
  }

  ids(): string[] {
    return this.received.map((e) => e.id);
  }

  async waitFor(id: string, timeoutMs?: number): Promise<void> {
    await waitUntil(
      () => {
        if (this.failure) throw this.failure;
        return this.received.some((e) => e.id === id);
      },
      `event ${id} on the subscription`,
      timeoutMs,
    );
  }

  /** Closes the subscription and waits (bounded) until its iteration has ended. */
  async close(): Promise<void> {
    await this.subscription.close();
    let ended = false;
    void this.drained.then(() => (ended = true));
    await waitUntil(() => ended, 'the subscription to end after close()');
    if (this.failure) throw this.failure;
  }
}
