import { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { EventLog } from './event-log';
import { ReadCall, send } from './outbound';
import { Start, readAll, readStream } from './log-reads';
import { invalidArgument, streamDeletedError } from './rpc-errors';
import { subscribeToAll, subscribeToStream } from './subscription.rpc';
import { filterOf, readEvent, streamIdentifier, streamName } from './wire';

/** Streams.Read: stream or $all, either direction, a count or a catch-up subscription. */
export const readRpc = (log: EventLog) => async (call: ReadCall) => {
  const options = call.request.getOptions();
  if (!options?.getUuidOption()) return call.emit('error', invalidArgument("'uuidOption' is a required argument"));
  const structuredIds = !!options.getUuidOption()?.hasStructured();
  const backwards = options.getReadDirection() === ReadReq.Options.ReadDirection.BACKWARDS;
  try {
    if (options.hasSubscription()) {
      if (backwards) return call.emit('error', invalidArgument('a subscription reads forwards'));
      if (options.hasAll()) await subscribeToAll(log, call, options, structuredIds);
      else await subscribeToStream(log, call, options, structuredIds);
    } else if (options.hasAll()) {
      const all = options.getAll()!;
      const from: Start = all.hasPosition() ? BigInt(all.getPosition()!.getCommitPosition()) : all.hasEnd() ? 'end' : 'start';
      const events = readAll(log, from, backwards, BigInt(options.getCount()), filterOf(options)?.filter);
      for (const e of events) if (!(await send(call, readEvent(e, structuredIds)))) return;
    } else {
      const stream = options.getStream()!;
      const name = streamName(stream.getStreamIdentifier());
      const from: Start = stream.hasRevision() ? BigInt(stream.getRevision()) : stream.hasEnd() ? 'end' : 'start';
      const result = readStream(log, name, from, backwards, BigInt(options.getCount()));
      if (result.kind === 'deleted') return call.emit('error', streamDeletedError(name));
      if (result.kind === 'not_found') {
        await send(call, new ReadResp().setStreamNotFound(new ReadResp.StreamNotFound().setStreamIdentifier(streamIdentifier(name))));
      } else {
        for (const e of result.events) if (!(await send(call, readEvent(e, structuredIds)))) return;
      }
    }
    if (!call.cancelled && !call.writableEnded) call.end();
  } catch (err) {
    if (!call.cancelled) call.emit('error', err);
  }
};
