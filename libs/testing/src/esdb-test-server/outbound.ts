import { ServerWritableStream } from '@grpc/grpc-js';
import { ReadReq, ReadResp } from '@eventstore/db-client/generated/streams_pb';

export type ReadCall = ServerWritableStream<ReadReq, ReadResp>;

/** Writes one response, waiting for the transport to drain; false once the client has gone. */
export const send = async (call: ReadCall, resp: ReadResp): Promise<boolean> => {
  if (call.cancelled || call.writableEnded) return false;
  if (!call.write(resp)) {
    await new Promise<void>((resolve) => {
      const done = (): void => {
        call.off('drain', done);
        call.off('cancelled', done);
        resolve();
      };
      call.on('drain', done);
      call.on('cancelled', done);
    });
  }
  return !call.cancelled;
};
