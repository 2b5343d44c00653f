import type { RecordedEvent } from '@ledger/event-store';
import { HEADER, IntegrationMessage, ceType, cloudEventHeaders, schemaId } from './cloud-event';
import { DataReader, MappingError } from './data-reader';
import { SUBSCRIPTION_MAPPERS } from './subscription-events.v1';

export const CARD_STREAM_PREFIX = 'subscription-';
export const DEAD_LETTER_TYPE = 'DeadLetter';

/**
 * Gateway routing: card events become integration events keyed by card id. Everything else is
 * internal and dropped (null): the account stream only guards the first-order discount, whose
 * effect consumers already see in PlanSelected.discounts, and it has no card to key by.
 * A card event this version cannot carry throws MappingError, and the publisher dead-letters it.
 */
export const toIntegrationEvent = (e: RecordedEvent): IntegrationMessage | null => {
  if (!e.streamId.startsWith(CARD_STREAM_PREFIX)) return null;
  const cardId = e.streamId.slice(CARD_STREAM_PREFIX.length);
  const mapper = SUBSCRIPTION_MAPPERS[e.type];
  if (!mapper) throw new MappingError('UNKNOWN_EVENT_TYPE', `no integration contract for card event type ${e.type}`);
  const value = mapper(DataReader.of(e.data), cardId);
  return { key: cardId, value: JSON.stringify(value), headers: cloudEventHeaders(e, ceType(e.type), cardId, schemaId(e.type)) };
};

const MAX_REASON = 512;

/** The stored event as is, plus why it was refused; `ce_id` stays the event id so a re-send deduplicates. */
export const toDeadLetter = (e: RecordedEvent, error: unknown): IntegrationMessage => {
  const key = e.streamId.startsWith(CARD_STREAM_PREFIX) ? e.streamId.slice(CARD_STREAM_PREFIX.length) : e.streamId;
  const reason = error instanceof Error ? error.message : String(error);
  const code = error instanceof MappingError ? error.code : 'MAPPING_FAILED';
  const value = {
    id: e.id,
    streamId: e.streamId,
    revision: e.revision,
    position: e.position.toString(),
    type: e.type,
    recordedAt: e.recordedAt,
    data: e.data ?? null,
    metadata: e.metadata ?? null,
  };
  return {
    key,
    value: JSON.stringify(value),
    headers: {
      ...cloudEventHeaders(e, ceType(DEAD_LETTER_TYPE), key, schemaId(DEAD_LETTER_TYPE)),
      [HEADER.dlqReason]: reason.slice(0, MAX_REASON),
      [HEADER.dlqCode]: code,
      [HEADER.originalType]: e.type,
    },
  };
};
