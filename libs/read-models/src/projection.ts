import { EntityManager } from 'typeorm';
import { RecordedEvent } from '@ledger/event-store';

/**
 * A projection applies one batch inside the transaction it is given; the runner commits the
 * rows and the checkpoint together. It must skip what it has already applied (row revision),
 * so delivering a batch twice changes nothing.
 */
export interface Projection {
  readonly name: string;
  applyBatch(events: readonly RecordedEvent[], em: EntityManager): Promise<void>;
}

export const SUBSCRIPTION_STREAM_PREFIX = 'subscription-';

export const isSubscriptionEvent = (e: RecordedEvent): boolean => e.streamId.startsWith(SUBSCRIPTION_STREAM_PREFIX);
