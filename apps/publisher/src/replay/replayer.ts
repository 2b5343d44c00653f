import type { EventStore, RecordedEvent } from '@ledger/event-store';
import { BatchProducer, OutgoingMessage, toIntegrationEvent } from '@ledger/messaging';

export type ReplayStart = { readonly fromPosition: bigint } | { readonly fromTime: string };

export interface ReplayOptions {
  readonly topic: string;
  readonly start: ReplayStart;
  /** Inclusive; absent: up to the end of the log as it is while the replay reads it. */
  readonly toPosition?: bigint;
  readonly batchSize: number;
}

export interface ReplayResult {
  readonly published: number;
  readonly skipped: number;
  readonly poison: { readonly id: string; readonly position: string; readonly reason: string }[];
  readonly firstPosition: string | null;
  readonly lastPosition: string | null;
}

/** The exclusive subscription position before the first event recorded at or after `time`. */
const positionBefore = async (store: EventStore, time: string, page: number): Promise<bigint> => {
  const at = Date.parse(time);
  let from = 0n;
  for (;;) {
    const batch = await store.readAll({ fromPosition: from, limit: page });
    if (batch.length === 0) return from;
    const hit = batch.find((e) => Date.parse(e.recordedAt) >= at);
    if (hit) return hit.position - 1n;
    from = batch[batch.length - 1].position;
  }
};

/**
 * Republishes a range of the log to `topic` with the live mapping. It reads the log directly and
 * never opens the checkpoint table, so the live publisher is unaffected. Events the mapping refuses
 * are reported, not sent: the live publisher already dead-lettered them.
 */
export const replay = async (
  store: EventStore,
  producer: BatchProducer,
  options: ReplayOptions,
  progress?: (r: ReplayResult) => void,
): Promise<ReplayResult> => {
  const start = 'fromPosition' in options.start ? options.start.fromPosition : null;
  let position =
    start !== null
      ? start > 0n
        ? start - 1n
        : 0n
      : await positionBefore(store, (options.start as { fromTime: string }).fromTime, options.batchSize);
  const result = {
    published: 0,
    skipped: 0,
    poison: [] as ReplayResult['poison'][number][],
    firstPosition: null as string | null,
    lastPosition: null as string | null,
  };
  for (;;) {
    const page = await store.readAll({ fromPosition: position, limit: options.batchSize });
    const inRange = options.toPosition === undefined ? page : page.filter((e) => e.position <= options.toPosition!);
    if (inRange.length === 0) return result;
    const messages = inRange.flatMap((e) => map(e, result));
    if (messages.length) await producer.send([{ topic: options.topic, messages }]);
    result.published += messages.length;
    result.firstPosition ??= inRange[0].position.toString();
    result.lastPosition = inRange[inRange.length - 1].position.toString();
    position = inRange[inRange.length - 1].position;
    progress?.(result);
    if (inRange.length < page.length) return result;
  }
};

const map = (e: RecordedEvent, result: { skipped: number; poison: ReplayResult['poison'][number][] }): OutgoingMessage[] => {
  try {
    const m = toIntegrationEvent(e);
    if (!m) result.skipped++;
    return m ? [m] : [];
  } catch (err) {
    result.poison.push({ id: e.id, position: e.position.toString(), reason: (err as Error).message });
    return [];
  }
};
