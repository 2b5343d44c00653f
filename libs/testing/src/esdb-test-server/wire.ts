import { Any } from 'google-protobuf/google/protobuf/any_pb';
import { Empty as WellKnownEmpty } from 'google-protobuf/google/protobuf/empty_pb';
import { Code } from '@eventstore/db-client/generated/code_pb';
import {
  BadRequest,
  Empty,
  StreamDeleted,
  StreamIdentifier,
  Timeout,
  UUID,
  WrongExpectedVersion,
} from '@eventstore/db-client/generated/shared_pb';
import { Status } from '@eventstore/db-client/generated/status_pb';
import { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';
import { Expectation, NO_STREAM, ProposedEvent, StoredEvent } from './event-log';
import { LogFilter } from './log-reads';

/** The four `expected_stream_revision` oneofs (Append, BatchAppend, Delete, Tombstone) share this shape. */
interface ExpectedOneof {
  hasAny(): boolean;
  hasNoStream(): boolean;
  hasStreamExists(): boolean;
}

export const expectation = (options: ExpectedOneof, revision: () => string | undefined): Expectation => {
  if (options.hasNoStream()) return 'no_stream';
  if (options.hasStreamExists()) return 'stream_exists';
  const exact = revision();
  if (exact !== undefined) return BigInt(exact);
  return 'any';
};

/** The server's signed encoding of the special expectations, as in its error metadata. */
export const expectedVersionNumber = (e: Expectation): bigint =>
  e === 'any' ? -2n : e === 'no_stream' ? -1n : e === 'stream_exists' ? -4n : e;

export const streamName = (identifier: StreamIdentifier | undefined): string =>
  Buffer.from(identifier?.getStreamName_asU8() ?? new Uint8Array()).toString('utf8');

export const streamIdentifier = (name: string): StreamIdentifier => new StreamIdentifier().setStreamName(Buffer.from(name, 'utf8'));

export const parseUuid = (uuid: UUID | undefined): string => {
  if (!uuid) throw new Error('event id missing');
  const structured = uuid.getStructured();
  if (!structured) return uuid.getString().toLowerCase();
  const hex = [structured.getMostSignificantBits(), structured.getLeastSignificantBits()]
    .map((bits) => BigInt.asUintN(64, BigInt(bits)).toString(16).padStart(16, '0'))
    .join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
};

const toUuid = (id: string, structured: boolean): UUID => {
  if (!structured) return new UUID().setString(id);
  const hex = id.replace(/-/g, '');
  const half = (s: string) => BigInt.asIntN(64, BigInt(`0x${s}`)).toString();
  return new UUID().setStructured(
    new UUID.Structured().setMostSignificantBits(half(hex.slice(0, 16))).setLeastSignificantBits(half(hex.slice(16))),
  );
};

interface ProposedMessage {
  getId(): UUID | undefined;
  getMetadataMap(): { get(key: string): string | undefined };
  getData_asU8(): Uint8Array;
  getCustomMetadata_asU8(): Uint8Array;
}

/** The real server refuses a message without `type` or `content-type` metadata; so does this one. */
export const proposed = (m: ProposedMessage): ProposedEvent => {
  const type = m.getMetadataMap().get('type');
  const contentType = m.getMetadataMap().get('content-type');
  if (type === undefined || contentType === undefined) throw new MissingMetadataError();
  return {
    id: parseUuid(m.getId()),
    type,
    isJson: contentType === 'application/json',
    data: m.getData_asU8(),
    metadata: m.getCustomMetadata_asU8(),
  };
};

export class MissingMetadataError extends Error {
  constructor() {
    super("Required Metadata Property 'type' or 'content-type' is missing");
  }
}

export const readEvent = (e: StoredEvent, structuredIds: boolean): ReadResp => {
  const recorded = new ReadResp.ReadEvent.RecordedEvent()
    .setId(toUuid(e.id, structuredIds))
    .setStreamIdentifier(streamIdentifier(e.streamId))
    .setStreamRevision(e.revision.toString())
    .setCommitPosition(e.position.toString())
    .setPreparePosition(e.position.toString())
    .setData(e.data)
    .setCustomMetadata(e.metadata);
  recorded
    .getMetadataMap()
    .set('type', e.type)
    .set('created', e.created.toString())
    .set('content-type', e.isJson ? 'application/json' : 'application/octet-stream');
  return new ReadResp().setEvent(new ReadResp.ReadEvent().setEvent(recorded).setCommitPosition(e.position.toString()));
};

/** The server's default search window; checkpoints come every `multiplier` windows of considered events. */
const DEFAULT_WINDOW = 32;

export const filterOf = (options: ReadReq.Options): { filter: LogFilter; checkpointEvery: number } | undefined => {
  const f = options.getFilter();
  const expression = f?.getStreamIdentifier() ?? f?.getEventType();
  if (!f || !expression) return undefined;
  const regex = expression.getRegex();
  const prefixes = expression.getPrefixList();
  const pattern = regex ? new RegExp(regex) : null;
  return {
    filter: {
      on: f.hasStreamIdentifier() ? 'stream' : 'type',
      matches: (value) => (pattern ? pattern.test(value) : prefixes.some((p) => value.startsWith(p))),
    },
    checkpointEvery: Math.max(1, f.getCheckpointintervalmultiplier()) * (f.hasMax() ? f.getMax() : DEFAULT_WINDOW),
  };
};

export const checkpoint = (position: bigint): ReadResp =>
  new ReadResp().setCheckpoint(new ReadResp.Checkpoint().setCommitPosition(`${position}`).setPreparePosition(`${position}`));

/** A google.rpc.Status whose `details` packs one of the client's shared messages, as BatchAppend answers. */
const packed = (code: Code, message: string, payload: { serializeBinary(): Uint8Array }, typeName: string): Status => {
  const details = new Any();
  details.pack(payload.serializeBinary(), typeName);
  return new Status().setCode(code).setMessage(message).setDetails(details);
};

export const wrongExpectedVersionStatus = (current: bigint, expected: Expectation): Status => {
  const details = new WrongExpectedVersion();
  if (current === NO_STREAM) details.setCurrentNoStream(new WellKnownEmpty());
  else details.setCurrentStreamRevision(current.toString());
  if (expected === 'any') details.setExpectedAny(new WellKnownEmpty());
  else if (expected === 'no_stream') details.setExpectedNoStream(new WellKnownEmpty());
  else if (expected === 'stream_exists') details.setExpectedStreamExists(new WellKnownEmpty());
  else details.setExpectedStreamPosition(expected.toString());
  return packed(Code.ALREADY_EXISTS, 'WrongExpectedVersion', details, 'event_store.client.WrongExpectedVersion');
};

export const streamDeletedStatus = (stream: string): Status =>
  packed(
    Code.NOT_FOUND,
    'StreamDeleted',
    new StreamDeleted().setStreamIdentifier(streamIdentifier(stream)),
    'event_store.client.StreamDeleted',
  );

export const badRequestStatus = (message: string): Status =>
  packed(Code.INVALID_ARGUMENT, message, new BadRequest().setMessage(message), 'event_store.client.BadRequest');

export const timeoutStatus = (): Status => packed(Code.DEADLINE_EXCEEDED, 'Timeout', new Timeout(), 'event_store.client.Timeout');

export const empty = (): Empty => new Empty();
