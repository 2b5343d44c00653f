import { ServerDuplexStream, ServerReadableStream, ServiceError, sendUnaryData } from '@grpc/grpc-js';
import { Empty as WellKnownEmpty } from 'google-protobuf/google/protobuf/empty_pb';
import { AllStreamPosition, UUID } from '@eventstore/db-client/generated/shared_pb';
import { Status } from '@eventstore/db-client/generated/status_pb';
import { AppendReq, AppendResp, BatchAppendReq, BatchAppendResp } from '@eventstore/db-client/generated/streams_pb';
import { EventLog, Expectation, NO_STREAM, ProposedEvent, WriteOutcome } from './event-log';
import { invalidArgument, missingMetadataError, streamDeletedError } from './rpc-errors';
import {
  MissingMetadataError,
  badRequestStatus,
  empty,
  expectation,
  parseUuid,
  proposed,
  streamDeletedStatus,
  streamIdentifier,
  streamName,
  timeoutStatus,
  wrongExpectedVersionStatus,
} from './wire';

/** Streams.Append: options first, then one proposed message per request; the conflict comes back in the body. */
export const appendRpc = (log: EventLog) => (call: ServerReadableStream<AppendReq, AppendResp>, callback: sendUnaryData<AppendResp>) => {
  let options: AppendReq.Options | undefined;
  const events: ProposedEvent[] = [];
  let answered = false;
  const fail = (err: ServiceError): void => {
    if (!answered) callback(err);
    answered = true;
  };
  call.on('data', (req: AppendReq) => {
    if (answered) return;
    if (!options) {
      options = req.getOptions();
      if (!options) fail(invalidArgument('the first AppendReq must carry options'));
      return;
    }
    const message = req.getProposedMessage();
    if (!message) return fail(invalidArgument('expected a proposed message'));
    try {
      events.push(proposed(message));
    } catch (err) {
      fail(err instanceof MissingMetadataError ? missingMetadataError() : invalidArgument(String(err)));
    }
  });
  call.on('error', () => undefined);
  call.on('end', () => {
    if (answered || !options) return fail(invalidArgument('no options were sent'));
    answered = true;
    const stream = streamName(options.getStreamIdentifier());
    const o = options;
    const expected = expectation(o, () => (o.hasRevision() ? o.getRevision() : undefined));
    const outcome = log.append(stream, expected, events);
    if (outcome.kind === 'stream_deleted') return callback(streamDeletedError(stream));
    callback(null, appendResponse(outcome, expected));
  });
};

const appendResponse = (outcome: Exclude<WriteOutcome, { kind: 'stream_deleted' }>, expected: Expectation): AppendResp => {
  if (outcome.kind === 'written') {
    const success = new AppendResp.Success();
    if (outcome.last === NO_STREAM) success.setNoStream(empty());
    else success.setCurrentRevision(outcome.last.toString());
    if (outcome.position === null) success.setNoPosition(empty());
    else success.setPosition(new AppendResp.Position().setCommitPosition(`${outcome.position}`).setPreparePosition(`${outcome.position}`));
    return new AppendResp().setSuccess(success);
  }
  // Both the current fields and the 20.6.0 ones, as the server still fills both.
  const wrong = new AppendResp.WrongExpectedVersion();
  if (outcome.current === NO_STREAM) wrong.setCurrentNoStream(empty()).setNoStream2060(empty());
  else wrong.setCurrentRevision(outcome.current.toString()).setCurrentRevision2060(Number(outcome.current));
  if (expected === 'any') wrong.setExpectedAny(empty()).setAny2060(empty());
  else if (expected === 'stream_exists') wrong.setExpectedStreamExists(empty()).setStreamExists2060(empty());
  else if (expected === 'no_stream') wrong.setExpectedNoStream(empty());
  else wrong.setExpectedRevision(expected.toString()).setExpectedRevision2060(Number(expected));
  return new AppendResp().setWrongExpectedVersion(wrong);
};

interface PendingWrite {
  readonly stream: string;
  readonly expected: Expectation;
  readonly deadline: Date | undefined;
  readonly events: ProposedEvent[];
}

/**
 * Streams.BatchAppend: one long-lived duplex call carrying many writes, told apart by correlation id;
 * a write may span requests and is committed on `is_final`. Failures are google.rpc.Status values
 * in the response body, the details packing the client's shared message types.
 */
export const batchAppendRpc = (log: EventLog) => (call: ServerDuplexStream<BatchAppendReq, BatchAppendResp>) => {
  const pending = new Map<string, PendingWrite>();
  const answer = (correlation: UUID | undefined, stream: string, result: Status | BatchAppendResp.Success): void => {
    if (call.cancelled || call.writableEnded) return;
    const resp = new BatchAppendResp().setCorrelationId(correlation).setStreamIdentifier(streamIdentifier(stream));
    call.write(result instanceof Status ? resp.setError(result) : resp.setSuccess(result));
  };
  call.on('data', (req: BatchAppendReq) => {
    const correlation = req.getCorrelationId();
    const key = parseUuid(correlation);
    const options = req.getOptions();
    if (options) {
      const expected = expectation(options, () => (options.hasStreamPosition() ? options.getStreamPosition() : undefined));
      const stream = streamName(options.getStreamIdentifier());
      pending.set(key, { stream, expected, deadline: options.getDeadline()?.toDate(), events: [] });
    }
    const write = pending.get(key);
    if (!write) return;
    try {
      write.events.push(...req.getProposedMessagesList().map(proposed));
    } catch (err) {
      pending.delete(key);
      return answer(correlation, write.stream, badRequestStatus(err instanceof Error ? err.message : String(err)));
    }
    if (!req.getIsFinal()) return;
    pending.delete(key);
    if (write.deadline && write.deadline.getTime() <= Date.now()) return answer(correlation, write.stream, timeoutStatus());
    answer(correlation, write.stream, batchResult(log.append(write.stream, write.expected, write.events), write));
  });
  call.on('error', () => undefined);
  call.on('end', () => call.end());
};

const batchResult = (outcome: WriteOutcome, write: PendingWrite): Status | BatchAppendResp.Success => {
  if (outcome.kind === 'stream_deleted') return streamDeletedStatus(write.stream);
  if (outcome.kind === 'wrong_expected_version') return wrongExpectedVersionStatus(outcome.current, write.expected);
  const success = new BatchAppendResp.Success();
  if (outcome.last === NO_STREAM) success.setNoStream(new WellKnownEmpty());
  else success.setCurrentRevision(outcome.last.toString());
  if (outcome.position === null) success.setNoPosition(new WellKnownEmpty());
  else success.setPosition(new AllStreamPosition().setCommitPosition(`${outcome.position}`).setPreparePosition(`${outcome.position}`));
  return success;
};
