import { ServerUnaryCall, sendUnaryData } from '@grpc/grpc-js';
import { DeleteReq, DeleteResp, TombstoneReq, TombstoneResp } from '@eventstore/db-client/generated/streams_pb';
import { EventLog } from './event-log';
import { streamDeletedError, wrongExpectedVersionError } from './rpc-errors';
import { empty, expectation, streamName } from './wire';

type Options = DeleteReq.Options | TombstoneReq.Options;

/**
 * Delete (soft: the stream reads as missing, a later append revives it) and Tombstone (hard: the
 * stream is gone for good). Unlike appends, their conflicts are gRPC errors whose trailers carry
 * `exception: wrong-expected-version` with the expected and actual versions.
 */
const remove = (log: EventLog, options: Options | undefined, hard: boolean) => {
  const stream = streamName(options?.getStreamIdentifier());
  const expected = options ? expectation(options, () => (options.hasRevision() ? options.getRevision() : undefined)) : 'any';
  const outcome = log.delete(stream, expected, hard);
  if (outcome.kind === 'stream_deleted') return { error: streamDeletedError(stream) };
  if (outcome.kind === 'wrong_expected_version') {
    return { error: wrongExpectedVersionError(hard ? 'Tombstone' : 'Delete', stream, expected, outcome.current) };
  }
  return { position: outcome.position };
};

export const deleteRpc = (log: EventLog) => (call: ServerUnaryCall<DeleteReq, DeleteResp>, callback: sendUnaryData<DeleteResp>) => {
  const result = remove(log, call.request.getOptions(), false);
  if (result.error) return callback(result.error);
  const resp = new DeleteResp();
  const p = result.position;
  if (p === null || p === undefined) resp.setNoPosition(empty());
  else resp.setPosition(new DeleteResp.Position().setCommitPosition(`${p}`).setPreparePosition(`${p}`));
  callback(null, resp);
};

export const tombstoneRpc =
  (log: EventLog) => (call: ServerUnaryCall<TombstoneReq, TombstoneResp>, callback: sendUnaryData<TombstoneResp>) => {
    const result = remove(log, call.request.getOptions(), true);
    if (result.error) return callback(result.error);
    const resp = new TombstoneResp();
    const p = result.position;
    if (p === null || p === undefined) resp.setNoPosition(empty());
    else resp.setPosition(new TombstoneResp.Position().setCommitPosition(`${p}`).setPreparePosition(`${p}`));
    callback(null, resp);
  };
