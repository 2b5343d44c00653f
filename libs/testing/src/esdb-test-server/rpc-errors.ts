import { Metadata, ServiceError, status } from '@grpc/grpc-js';
import { Expectation } from './event-log';
import { expectedVersionNumber } from './wire';

/**
 * Errors the real server raises as gRPC statuses, with the `exception` trailer the client reads to
 * pick its error class (Append and BatchAppend answer conflicts in their bodies instead).
 */
const failure = (code: status, details: string, trailers: Record<string, string> = {}): ServiceError => {
  const metadata = new Metadata();
  for (const [key, value] of Object.entries(trailers)) metadata.set(key, value);
  return Object.assign(new Error(`${code} ${status[code]}: ${details}`), { code, details, metadata });
};

export const streamDeletedError = (stream: string): ServiceError =>
  failure(status.FAILED_PRECONDITION, `Event stream '${stream}' is deleted.`, { exception: 'stream-deleted', 'stream-name': stream });

export const wrongExpectedVersionError = (operation: string, stream: string, expected: Expectation, actual: bigint): ServiceError => {
  const expectedVersion = expectedVersionNumber(expected);
  return failure(
    status.FAILED_PRECONDITION,
    `${operation} failed due to WrongExpectedVersion. Stream: ${stream}, Expected version: ${expectedVersion}, Actual version: ${actual}`,
    {
      exception: 'wrong-expected-version',
      'stream-name': stream,
      'expected-version': expectedVersion.toString(),
      // The server writes the stream's current version, so a missing stream shows as -1, not as absent.
      'actual-version': actual.toString(),
    },
  );
};

export const missingMetadataError = (): ServiceError =>
  failure(status.INVALID_ARGUMENT, "Required Metadata Property 'type' is missing", {
    exception: 'missing-required-metadata-property',
    'required-metadata-properties': 'type,content-type',
  });

export const invalidArgument = (details: string): ServiceError => failure(status.INVALID_ARGUMENT, details);
