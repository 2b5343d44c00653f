import { randomUUID } from 'node:crypto';
import { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { DELETED_STREAM, EventLog, StoredEvent } from './event-log';
import { indexFrom, passes } from './log-reads';
import { ReadCall, send } from './outbound';
import { streamDeletedError } from './rpc-errors';
import { checkpoint, filterOf, readEvent, streamName } from './wire';

/** Resolves on the next write to the log or when the client goes away, whichever is first. */
const nextChange = (log: EventLog, call: ReadCall): Promise<void> =>
  new Promise((resolve) => {
    const done = (): void => {
      off();
      call.off('cancelled', done);
      resolve();
    };
    const off = log.onChange(done);
    call.on('cancelled', done);
  });

const confirm = (call: ReadCall): Promise<boolean> =>
  send(call, new ReadResp().setConfirmation(new ReadResp.SubscriptionConfirmation().setSubscriptionId(randomUUID())));

const caughtUp = (): ReadResp => new ReadResp().setCaughtUp(new ReadResp.CaughtUp());

/**
 * A catch-up subscription to $all: confirmation, the events after the start position (exclusive),
 * then `caught_up`, then live events, with no seam between the two phases because both walk the
 * same log by index. With a filter, a checkpoint follows every `checkpointEvery` considered
 * events and one more closes the catch-up phase, as the server does.
 */
export const subscribeToAll = async (log: EventLog, call: ReadCall, options: ReadReq.Options, structuredIds: boolean) => {
  const all = options.getAll()!;
  const filtered = filterOf(options);
  let cursor = 0;
  if (all.hasEnd()) cursor = log.all.length;
  if (all.hasPosition()) {
    const after = BigInt(all.getPosition()!.getCommitPosition());
    cursor = indexFrom(log, after);
    if (log.all[cursor]?.position === after) cursor++;
  }
  if (!(await confirm(call))) return;
  let considered = 0;
  let lastConsidered: StoredEvent | undefined;
  let live = false;
  while (!call.cancelled) {
    while (cursor < log.all.length) {
      const e = log.all[cursor++];
      lastConsidered = e;
      if (passes(filtered?.filter, e) && !(await send(call, readEvent(e, structuredIds)))) return;
      if (filtered && ++considered >= filtered.checkpointEvery) {
        considered = 0;
        if (!(await send(call, checkpoint(e.position)))) return;
      }
    }
    if (!live) {
      live = true;
      if (filtered && lastConsidered && !(await send(call, checkpoint(lastConsidered.position)))) return;
      if (!(await send(call, caughtUp()))) return;
      continue;
    }
    await nextChange(log, call);
  }
};

/** A catch-up subscription to one stream, from an exclusive revision; a tombstone ends it with an error. */
export const subscribeToStream = async (log: EventLog, call: ReadCall, options: ReadReq.Options, structuredIds: boolean) => {
  const stream = options.getStream()!;
  const name = streamName(stream.getStreamIdentifier());
  const events = (): StoredEvent[] => log.stream(name)?.events ?? [];
  let cursor = stream.hasEnd() ? events().length : 0;
  if (stream.hasRevision()) {
    const after = BigInt(stream.getRevision());
    cursor = events().findIndex((e) => e.revision > after);
    if (cursor < 0) cursor = events().length;
  }
  if (!(await confirm(call))) return;
  let live = false;
  while (!call.cancelled) {
    while (cursor < events().length) {
      const e = events()[cursor++];
      if (e.revision === DELETED_STREAM) return call.emit('error', streamDeletedError(name));
      if (e.revision < (log.stream(name)?.truncateBefore ?? 0n)) continue;
      if (!(await send(call, readEvent(e, structuredIds)))) return;
    }
    if (!live) {
      live = true;
      if (!(await send(call, caughtUp()))) return;
      continue;
    }
    await nextChange(log, call);
  }
};
