import { EntityManager } from 'typeorm';
import { RecordedEvent } from '@ledger/event-store';

/** A table a projection owns; the digest orders its rows by `primaryKey`. */
export interface ReadModelTable {
  readonly name: string;
  readonly primaryKey: string;
}

/**
 * A projection applies one batch inside the transaction it is given; the runner commits the
 * rows and the checkpoint together. It must skip what it has already applied (row revision),
 * so delivering a batch twice changes nothing. `name` is its checkpoint and status key; a rebuild
 * runs the same code under `<name>__rebuild`, writing `<table>__rebuild`.
 */
export interface Projection {
  readonly name: string;
  readonly tables: readonly ReadModelTable[];
  /** Answers how many rows it wrote, for the rebuild statistics. */
  applyBatch(events: readonly RecordedEvent[], em: EntityManager): Promise<number>;
}

export const SUBSCRIPTION_STREAM_PREFIX = 'subscription-';

export const isSubscriptionEvent = (e: RecordedEvent): boolean => e.streamId.startsWith(SUBSCRIPTION_STREAM_PREFIX);

export const subscriptionIdOf = (e: RecordedEvent): string => e.streamId.slice(SUBSCRIPTION_STREAM_PREFIX.length);

export const REBUILD_SUFFIX = '__rebuild';
