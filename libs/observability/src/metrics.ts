import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { within } from './within';

/**
 * One registry per process, every metric of the ledger defined here so names, labels and units
 * are decided in one place (Prometheus conventions: base units, `_seconds`, `_total`). Labels are
 * route templates, command and event types, methods and consumer names: never ids, so a card or an
 * account cannot become a time series and nothing personal reaches the scraper.
 */
export const registry = new Registry();

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

let processName: string | null = null;

/** Node's own metrics (event loop lag, heap, GC, CPU) and `app="<name>"` on every series. */
export const startProcessMetrics = (app: string): void => {
  if (processName !== null) return;
  processName = app;
  registry.setDefaultLabels({ app });
  collectDefaultMetrics({ register: registry });
};

export const httpRequestDuration = new Histogram({
  name: 'http_request_duration_seconds',
  help: 'HTTP requests served, by method, route template and status code',
  labelNames: ['method', 'route', 'status_code'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const commandsTotal = new Counter({
  name: 'ledger_commands_total',
  help: 'Commands handled, by type and outcome (ok, rejected, conflict, error)',
  labelNames: ['type', 'outcome'] as const,
  registers: [registry],
});

export const commandDuration = new Histogram({
  name: 'ledger_command_duration_seconds',
  help: 'Time to handle a command, by type',
  labelNames: ['type'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const concurrencyConflictsTotal = new Counter({
  name: 'ledger_concurrency_conflicts_total',
  help: 'Appends refused because the stream moved since it was read, by stream category',
  labelNames: ['category'] as const,
  registers: [registry],
});

export const commandRetriesTotal = new Counter({
  name: 'ledger_command_retries_total',
  help: 'Decisions taken again after a concurrency conflict, by stream category',
  labelNames: ['category'] as const,
  registers: [registry],
});

export const appendDuration = new Histogram({
  name: 'ledger_append_duration_seconds',
  help: 'Time of an append to the event store (one or many streams), by outcome',
  labelNames: ['outcome'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [registry],
});

export const eventsAppendedTotal = new Counter({
  name: 'ledger_events_appended_total',
  help: 'Events this process appended, by type',
  labelNames: ['type'] as const,
  registers: [registry],
});

export const paymentsTotal = new Counter({
  name: 'ledger_payments_total',
  help: 'Payment outcomes booked on cards, by method and outcome (captured, failed, abandoned)',
  labelNames: ['method', 'outcome'] as const,
  registers: [registry],
});

export const paymentProcessFailuresTotal = new Counter({
  name: 'ledger_payment_process_failures_total',
  help: 'Steps of a payment process that failed and will be retried (the provider, the store, or a bug)',
  registers: [registry],
});

export const consumerRetriesTotal = new Counter({
  name: 'ledger_consumer_retries_total',
  help: 'Failed batches a checkpointed consumer backs off from and reads again, by consumer',
  labelNames: ['consumer'] as const,
  registers: [registry],
});

export const consumerEventsTotal = new Counter({
  name: 'ledger_consumer_events_total',
  help: 'Events a checkpointed consumer handled, by consumer',
  labelNames: ['consumer'] as const,
  registers: [registry],
});

/** How far one checkpointed consumer is behind the log. */
export interface ConsumerLag {
  readonly events: number;
  /** When the oldest event it has not handled was recorded; null when it has handled them all. */
  readonly oldestRecordedAt: string | null;
}

const lagProbes = new Map<string, () => Promise<ConsumerLag>>();
/** A scrape never starts a second round of probes while one runs, and reuses a round for 5 s. */
const LAG_SAMPLE_MS = 5000;

export const metricReadErrorsTotal = new Counter({
  name: 'ledger_metric_read_errors_total',
  help: 'Reads behind a gauge that failed or timed out at a scrape (the gauge kept its last value or is NaN), by metric',
  labelNames: ['metric'] as const,
  registers: [registry],
});

/** The last lag each consumer answered: a probe that fails or times out keeps it, rather than dropping the series. */
const lastLag = new Map<string, ConsumerLag>();
let sample: { at: number; round: Promise<void> } | null = null;
const sampleLags = async (): Promise<Map<string, ConsumerLag>> => {
  if (!sample || Date.now() - sample.at >= LAG_SAMPLE_MS) {
    const round = (async () => {
      await Promise.all(
        [...lagProbes].map(async ([name, probe]) => {
          const lag = await within<ConsumerLag | null>(probe, () => null);
          if (lag) lastLag.set(name, lag);
          else metricReadErrorsTotal.inc({ metric: 'ledger_consumer_lag' });
        }),
      );
    })();
    sample = { at: Date.now(), round };
  }
  await sample.round;
  return new Map([...lastLag].filter(([name]) => lagProbes.has(name)));
};

const lagGauge = (name: string, help: string, value: (lag: ConsumerLag, now: number) => number): Gauge<'consumer'> =>
  new Gauge({
    name,
    help,
    labelNames: ['consumer'] as const,
    registers: [registry],
    async collect() {
      const lags = await sampleLags();
      // After the probes answered: an age taken before them could come out younger than it is.
      const now = Date.now();
      this.reset();
      for (const [consumer, lag] of lags) this.set({ consumer }, value(lag, now));
    },
  });

lagGauge('ledger_consumer_lag_events', 'Events in the log a checkpointed consumer has not handled yet', (lag) => lag.events);
lagGauge(
  'ledger_consumer_lag_seconds',
  'Age of the oldest event a checkpointed consumer has not handled yet (0 when caught up)',
  (lag, now) => (lag.oldestRecordedAt ? Math.max(0, (now - Date.parse(lag.oldestRecordedAt)) / 1000) : 0),
);

/** Reports a consumer's lag at every scrape until the returned function is called. */
export const trackConsumerLag = (consumer: string, probe: () => Promise<ConsumerLag>): (() => void) => {
  lagProbes.set(consumer, probe);
  sample = null; // the next scrape measures the new consumer too
  return () => {
    if (lagProbes.get(consumer) === probe) lagProbes.delete(consumer);
  };
};

/**
 * A value read at scrape time (for example from a table), without labels; a second one of a name
 * replaces the first. A read that fails or takes over 2 s is NaN (never a reassuring 0) and counted
 * in ledger_metric_read_errors_total; reads run one at a time, reused for 5 s.
 */
export const scrapedGauge = (name: string, help: string, read: () => Promise<number>): Gauge => {
  registry.removeSingleMetric(name);
  let last: { at: number; value: Promise<number> } | null = null;
  const sampled = (): Promise<number> => {
    if (last && Date.now() - last.at < LAG_SAMPLE_MS) return last.value;
    const value = (async () => {
      const v = await within(read, () => Number.NaN);
      if (Number.isNaN(v)) metricReadErrorsTotal.inc({ metric: name });
      return v;
    })();
    last = { at: Date.now(), value };
    return value;
  };
  return new Gauge({
    name,
    help,
    registers: [registry],
    async collect() {
      this.set(await sampled());
    },
  });
};

/** The text exposition format, as `GET /metrics` answers it. */
export const metricsText = (): Promise<string> => registry.metrics();
export const METRICS_CONTENT_TYPE = registry.contentType;

/** `subscription-3f…` → `subscription`: the label of a stream without its id. */
export const streamCategory = (streamId: string): string => {
  const dash = streamId.indexOf('-');
  return dash > 0 ? streamId.slice(0, dash) : streamId;
};
