import type { RecordedEvent } from '@ledger/event-store';

/** A Kafka record in CloudEvents 1.0 binary mode: attributes travel as `ce_*` headers, the value is the data. */
export interface IntegrationMessage {
  /** Absent: the publisher's configured topic. */
  readonly topic?: string;
  /** The card id, so every event of one card lands on one partition, in order. */
  readonly key: string;
  readonly value: string;
  readonly headers: Readonly<Record<string, string>>;
}

export const CE_SPECVERSION = '1.0';
export const CE_SOURCE = '/ledger/subscriptions';
export const CONTENT_TYPE = 'application/json';

export const HEADER = {
  specversion: 'ce_specversion',
  id: 'ce_id',
  type: 'ce_type',
  source: 'ce_source',
  subject: 'ce_subject',
  time: 'ce_time',
  dataschema: 'ce_dataschema',
  contentType: 'content-type',
  position: 'ledger_position',
  revision: 'ledger_revision',
  correlationId: 'ledger_correlation_id',
  dlqReason: 'ledger_dlq_reason',
  dlqCode: 'ledger_dlq_code',
  originalType: 'ledger_original_type',
} as const;

export const ceType = (eventName: string, version = 1): string => `ledger.${eventName}.v${version}`;

/** Schema ids are URNs on purpose: they name a contract, they are not a place to fetch it from. */
export const schemaId = (eventName: string, version = 1): string => `urn:ledger:schema:${eventName}:v${version}`;

export const cloudEventHeaders = (e: RecordedEvent, type: string, subject: string, dataschema: string): Record<string, string> => ({
  [HEADER.specversion]: CE_SPECVERSION,
  [HEADER.id]: e.id,
  [HEADER.type]: type,
  [HEADER.source]: CE_SOURCE,
  [HEADER.subject]: subject,
  [HEADER.time]: e.recordedAt,
  [HEADER.dataschema]: dataschema,
  [HEADER.contentType]: CONTENT_TYPE,
  [HEADER.position]: e.position.toString(),
  [HEADER.revision]: String(e.revision),
  [HEADER.correlationId]: String(e.metadata?.correlationId ?? ''),
  ...traceHeaders(e.metadata?.traceparent),
});

const TRACEPARENT = /^00-(?!0{32})[0-9a-f]{32}-(?!0{16})[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * The trace of the command that wrote the event, as W3C `traceparent` (for tracing tools) and
 * `ce_traceparent` (CloudEvents' distributed-tracing extension). The stored value, so a re-send
 * (after a crash, or by replay) is byte-identical to the first; none when it is absent or not W3C.
 */
const traceHeaders = (traceparent: unknown): Record<string, string> =>
  typeof traceparent === 'string' && TRACEPARENT.test(traceparent) ? { traceparent, ce_traceparent: traceparent } : {};
