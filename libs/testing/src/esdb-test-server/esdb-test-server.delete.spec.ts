import { StreamDeletedError, WrongExpectedVersionError } from '@eventstore/db-client';
import { aStream, anEvent, drain, useTestServer } from './test-client';

/** Delete and Tombstone raise their conflicts as gRPC errors whose trailers the client decodes. */
describe('EsdbTestServer deletes, through the real client', () => {
  const connection = useTestServer();

  it('decodes a wrong expected version on delete from the trailers, with both versions', async () => {
    const { client } = connection();
    const stream = aStream();
    await client.appendToStream(stream, [anEvent(), anEvent()]);
    const refused = client.deleteStream(stream, { expectedRevision: 0n });
    await expect(refused).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await expect(refused).rejects.toMatchObject({ streamName: stream, expectedVersion: 0n, actualVersion: 1n });
    expect(await drain(client.readStream(stream))).toHaveLength(2);
  });

  it('sends the server\'s signed code for "no_stream", and -1 as the actual version of a missing stream', async () => {
    const { client } = connection();
    const stream = aStream();
    await client.appendToStream(stream, [anEvent()]);
    const refused = client.tombstoneStream(stream, { expectedRevision: 'no_stream' });
    await expect(refused).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await expect(refused).rejects.toMatchObject({ expectedVersion: -1n, actualVersion: 0n });
    await expect(client.deleteStream(aStream(), { expectedRevision: 0n })).rejects.toMatchObject({
      expectedVersion: 0n,
      actualVersion: -1n,
    });
  });

  it('deletes at the expected revision and answers the position of what it wrote', async () => {
    const { client } = connection();
    const stream = aStream();
    await client.appendToStream(stream, [anEvent()]);
    const { position } = await client.deleteStream(stream, { expectedRevision: 0n });
    const [last] = await drain(client.readAll({ fromPosition: 'end', direction: 'backwards', maxCount: 1 }));
    expect(last.event).toMatchObject({ streamId: `$$${stream}`, type: '$metadata', position });
  });

  it('refuses to touch a tombstoned stream again with StreamDeletedError', async () => {
    const { client } = connection();
    const stream = aStream();
    await client.tombstoneStream(stream);
    await expect(client.deleteStream(stream)).rejects.toBeInstanceOf(StreamDeletedError);
    await expect(client.tombstoneStream(stream)).rejects.toMatchObject({ type: 'stream-deleted', streamName: stream });
  });

  it('leaves the tombstone in $all under a $-type, where a ledger reader has to skip it', async () => {
    const { client } = connection();
    const stream = aStream();
    await client.appendToStream(stream, [anEvent()]);
    await client.tombstoneStream(stream);
    const [last] = await drain(client.readAll({ fromPosition: 'end', direction: 'backwards', maxCount: 1 }));
    expect(last.event).toMatchObject({ streamId: stream, type: '$streamDeleted' });
  });
});
