import { ProviderEvent, signWebhook } from '@ledger/payments';

export interface WebhookDispatcherOptions {
  /** No deliveries at all when unset. */
  readonly url?: string;
  readonly secret: string;
  /** Probability that an event is delivered twice, as real providers sometimes do. */
  readonly duplicateRate: number;
  /** Each delivery waits random(0..reorderMs) first, so events overtake each other. */
  readonly reorderMs: number;
  readonly random: () => number;
  /** Called once per event, on its first 2xx. */
  readonly onDelivered: (eventId: string) => void;
  readonly log: SandboxLog;
}

/** The sandbox's diagnostics; a pino logger is one. */
export interface SandboxLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

const FIRST_RETRY_MS = 200;
const MAX_RETRY_MS = 30_000;
const REQUEST_TIMEOUT_MS = 10_000;

/** Delivers events at least once, until each is acknowledged, with the misbehaviours receivers must survive. */
export class WebhookDispatcher {
  private readonly timers = new Set<NodeJS.Timeout>();
  private held: Array<() => void> = [];
  private paused = false;
  private closed = false;
  private readonly stop = new AbortController();

  constructor(private readonly options: WebhookDispatcherOptions) {}

  enqueue(event: ProviderEvent): void {
    if (this.options.url === undefined || this.closed) return;
    const copies = this.options.random() < this.options.duplicateRate ? 2 : 1;
    for (let copy = 0; copy < copies; copy++)
      this.later(this.options.random() * this.options.reorderMs, () => this.attempt(event, 0, copy === 0));
  }

  /** While paused nothing is sent; held attempts go out when resumed. */
  setPaused(paused: boolean): void {
    this.paused = paused;
    if (paused) return;
    const held = this.held;
    this.held = [];
    for (const run of held) run();
  }

  close(): void {
    this.closed = true;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.held = [];
    this.stop.abort();
  }

  private later(ms: number, run: () => void): void {
    if (this.closed) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      run();
    }, ms);
    this.timers.add(timer);
  }

  private attempt(event: ProviderEvent, attempt: number, primary: boolean): void {
    if (this.closed) return;
    if (this.paused) {
      this.held.push(() => this.attempt(event, attempt, primary));
      return;
    }
    void this.post(event).then((ok) => {
      if (this.closed) return;
      if (ok) {
        if (primary) this.options.onDelivered(event.id);
        return;
      }
      const backoff = Math.min(FIRST_RETRY_MS * 2 ** attempt, MAX_RETRY_MS);
      // Jitter keeps a crowd of failed deliveries from coming back all at once.
      this.later(backoff + this.options.random() * backoff * 0.25, () => this.attempt(event, attempt + 1, primary));
    });
  }

  private async post(event: ProviderEvent): Promise<boolean> {
    const body = JSON.stringify(event);
    const signature = signWebhook(body, this.options.secret, Math.floor(Date.now() / 1000));
    try {
      const response = await fetch(this.options.url!, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'psp-signature': signature },
        body,
        signal: AbortSignal.any([this.stop.signal, AbortSignal.timeout(REQUEST_TIMEOUT_MS)]),
      });
      await response.arrayBuffer();
      if (!response.ok) this.options.log.warn(`webhook ${event.id} ${event.type}: receiver answered ${response.status}, will retry`);
      return response.ok;
    } catch (err) {
      if (!this.closed) this.options.log.warn(`webhook ${event.id} ${event.type}: ${(err as Error).message}, will retry`);
      return false;
    }
  }
}
