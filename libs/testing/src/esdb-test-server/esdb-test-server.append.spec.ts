import { DeadlineExceededError, StreamDeletedError, WrongExpectedVersionError } from '@eventstore/db-client';
import { aStream, anEvent, drain, useTestServer } from './test-client';

/** The client's default path: BatchAppend, whose failures come back as google.rpc.Status details. */
describe('EsdbTestServer BatchAppend, through the real client', () => {
  const connection = useTestServer();

  it('is the path the client takes, because the server advertises it', async () => {
    const { client, server } = connection();
    await client.appendToStream(aStream(), [anEvent()]);
    expect(server.calls).toMatchObject({ batchAppend: 1, append: 0 });
  });

  it('answers the last revision and the commit position of the last event written', async () => {
    const { client } = connection();
    const stream = aStream();
    const result = await client.appendToStream(stream, [anEvent(), anEvent()], { expectedRevision: 'no_stream' });
    const read = await drain(client.readStream(stream));
    expect(result).toEqual({ success: true, nextExpectedRevision: 1n, position: read[1].event!.position });
  });

  it('decodes a wrong expected revision into WrongExpectedVersionError with both versions', async () => {
    const { client } = connection();
    const stream = aStream();
    await client.appendToStream(stream, [anEvent(), anEvent()]);
    const conflict = client.appendToStream(stream, [anEvent()], { expectedRevision: 0n });
    await expect(conflict).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await expect(conflict).rejects.toMatchObject({ streamName: stream, expectedVersion: 0n, actualVersion: 1n });
  });

  it('reports a missing stream as "no_stream" and a special expectation by name', async () => {
    const { client } = connection();
    const stream = aStream();
    await expect(client.appendToStream(stream, [anEvent()], { expectedRevision: 'stream_exists' })).rejects.toMatchObject({
      expectedVersion: 'stream_exists',
      actualVersion: 'no_stream',
    });
    await client.appendToStream(stream, [anEvent()]);
    await expect(client.appendToStream(stream, [anEvent()], { expectedRevision: 'no_stream' })).rejects.toMatchObject({
      expectedVersion: 'no_stream',
      actualVersion: 0n,
    });
  });

  it('treats the same event ids at the same expectation as already written', async () => {
    const { client } = connection();
    const stream = aStream();
    const batch = [anEvent(), anEvent()];
    const first = await client.appendToStream(stream, batch, { expectedRevision: 'no_stream' });
    await client.appendToStream(stream, [anEvent()], { expectedRevision: 1n });
    await expect(client.appendToStream(stream, batch, { expectedRevision: 'no_stream' })).resolves.toEqual(first);
    await expect(client.appendToStream(stream, batch, { expectedRevision: 'any' })).resolves.toEqual(first);
    expect(await drain(client.readStream(stream))).toHaveLength(3);
  });

  it('refuses a retry that matches only in part, as the server does, with a conflict', async () => {
    const { client } = connection();
    const stream = aStream();
    const [a, b] = [anEvent(), anEvent()];
    await client.appendToStream(stream, [a, b], { expectedRevision: 'no_stream' });
    await expect(client.appendToStream(stream, [a, anEvent()], { expectedRevision: 'no_stream' })).rejects.toBeInstanceOf(
      WrongExpectedVersionError,
    );
    await expect(client.appendToStream(stream, [a, anEvent()], { expectedRevision: 'any' })).rejects.toBeInstanceOf(
      WrongExpectedVersionError,
    );
  });

  it('accepts an id already used in another stream: ids are deduplicated per stream only', async () => {
    const { client } = connection();
    const reused = anEvent();
    await client.appendToStream(aStream(), [reused]);
    const other = aStream();
    await client.appendToStream(other, [anEvent(), reused], { expectedRevision: 'any' });
    expect((await drain(client.readStream(other))).map((e) => e.event!.id)).toContain(reused.id);
  });

  it('decodes a write to a tombstoned stream into StreamDeletedError', async () => {
    const { client } = connection();
    const stream = aStream();
    await client.appendToStream(stream, [anEvent()]);
    await client.tombstoneStream(stream);
    const refused = client.appendToStream(stream, [anEvent()]);
    await expect(refused).rejects.toBeInstanceOf(StreamDeletedError);
    await expect(refused).rejects.toMatchObject({ streamName: stream });
  });

  it('answers a write whose deadline has passed with a timeout', async () => {
    const { client } = connection();
    await expect(client.appendToStream(aStream(), [anEvent()], { deadline: -1_000 })).rejects.toBeInstanceOf(DeadlineExceededError);
  });
});

/** The fallback path when BatchAppend is not advertised: conflicts come back in the response body. */
describe('EsdbTestServer Append, through the real client', () => {
  const connection = useTestServer({ withoutBatchAppend: true });

  it('is the path the client takes when BatchAppend is not advertised', async () => {
    const { client, server } = connection();
    await client.appendToStream(aStream(), [anEvent()]);
    expect(server.calls).toMatchObject({ batchAppend: 0, append: 1 });
  });

  it('decodes the wrong expected version in the response body into WrongExpectedVersionError', async () => {
    const { client } = connection();
    const stream = aStream();
    await client.appendToStream(stream, [anEvent()]);
    const conflict = client.appendToStream(stream, [anEvent()], { expectedRevision: 5n });
    await expect(conflict).rejects.toBeInstanceOf(WrongExpectedVersionError);
    await expect(conflict).rejects.toMatchObject({ streamName: stream, expectedVersion: 5n, actualVersion: 0n });
    await expect(client.appendToStream(aStream(), [anEvent()], { expectedRevision: 0n })).rejects.toMatchObject({
      actualVersion: 'no_stream',
    });
  });

  it('decodes the stream-deleted trailers into StreamDeletedError', async () => {
    const { client } = connection();
    const stream = aStream();
    await client.tombstoneStream(stream);
    await expect(client.appendToStream(stream, [anEvent()])).rejects.toMatchObject({ type: 'stream-deleted', streamName: stream });
  });

  it('answers an idempotent retry with the original result', async () => {
    const { client } = connection();
    const stream = aStream();
    const batch = [anEvent(), anEvent()];
    const first = await client.appendToStream(stream, batch, { expectedRevision: 'no_stream' });
    await expect(client.appendToStream(stream, batch, { expectedRevision: 'no_stream' })).resolves.toEqual(first);
  });
});
