import { BACKWARDS, END, FORWARDS, START, StreamDeletedError, StreamNotFoundError } from '@eventstore/db-client';
import { aStream, anEvent, drain, useTestServer } from './test-client';

describe('EsdbTestServer reads, through the real client', () => {
  const connection = useTestServer();

  it('answers a missing stream with stream_not_found, which the client raises as StreamNotFoundError', async () => {
    const { client } = connection();
    const stream = aStream();
    const read = drain(client.readStream(stream));
    await expect(read).rejects.toBeInstanceOf(StreamNotFoundError);
    await expect(read).rejects.toMatchObject({ streamName: stream });
  });

  it('reads a stream both ways, from a revision, up to a count', async () => {
    const { client } = connection();
    const stream = aStream();
    const written = [anEvent('A'), anEvent('B'), anEvent('C'), anEvent('D')];
    await client.appendToStream(stream, written);
    const types = async (options: Parameters<typeof client.readStream>[1]) =>
      (await drain(client.readStream(stream, options))).map((e) => e.event!.type);
    expect(await types({ fromRevision: START, direction: FORWARDS })).toEqual(['A', 'B', 'C', 'D']);
    expect(await types({ fromRevision: 1n, maxCount: 2 })).toEqual(['B', 'C']);
    expect(await types({ fromRevision: END, direction: BACKWARDS, maxCount: 1 })).toEqual(['D']);
    expect(await types({ fromRevision: 2n, direction: BACKWARDS })).toEqual(['C', 'B', 'A']);
  });

  it('carries what the client reads back: ids, JSON data and metadata, revision, position, creation time', async () => {
    const { client } = connection();
    const stream = aStream();
    const before = Date.now();
    await client.appendToStream(stream, [{ ...anEvent('Opened', { amount: 1299 }), metadata: { actor: 'a' } }]);
    const [{ event }] = await drain(client.readStream(stream));
    expect(event).toMatchObject({
      streamId: stream,
      type: 'Opened',
      revision: 0n,
      isJson: true,
      data: { amount: 1299 },
      metadata: { actor: 'a' },
    });
    expect(event!.position!.commit).toBe(event!.position!.prepare);
    expect(event!.created.getTime()).toBeGreaterThanOrEqual(before - 1);
  });

  it("includes the server's own $-events in $all, ahead of anything a client wrote", async () => {
    const { client } = connection();
    await client.appendToStream(aStream(), [anEvent()]);
    const all = await drain(client.readAll({ fromPosition: START, maxCount: 100 }));
    expect(all[0].event).toMatchObject({ streamId: expect.stringMatching(/^\$\$/), type: '$metadata' });
    expect(all.at(-1)!.event!.streamId).not.toMatch(/^\$/);
  });

  it('reads $all forwards from a position inclusively and backwards from it exclusively', async () => {
    const { client } = connection();
    await client.appendToStream(aStream(), [anEvent('A'), anEvent('B'), anEvent('C')]);
    const all = (await drain(client.readAll({ fromPosition: START, maxCount: 100 }))).filter((e) => !e.event!.type.startsWith('$'));
    const b = all[1].event!.position;
    const forwards = await drain(client.readAll({ fromPosition: b, direction: FORWARDS, maxCount: 10 }));
    expect(forwards.map((e) => e.event!.type)).toEqual(['B', 'C']);
    const backwards = await drain(client.readAll({ fromPosition: b, direction: BACKWARDS, maxCount: 1 }));
    expect(backwards.map((e) => e.event!.type)).toEqual(['A']);
    const last = await drain(client.readAll({ fromPosition: END, direction: BACKWARDS, maxCount: 1 }));
    expect(last.map((e) => e.event!.type)).toEqual(['C']);
    expect(all.every((e, i) => i === 0 || all[i - 1].event!.position.commit < e.event!.position.commit)).toBe(true);
  });

  it('reads a tombstoned stream as StreamDeletedError, from the stream-deleted trailers', async () => {
    const { client } = connection();
    const stream = aStream();
    await client.appendToStream(stream, [anEvent()]);
    await client.tombstoneStream(stream);
    const read = drain(client.readStream(stream));
    await expect(read).rejects.toBeInstanceOf(StreamDeletedError);
    await expect(read).rejects.toMatchObject({ streamName: stream });
  });

  it('reads a soft-deleted stream as missing, and revives it on the next append with the numbering going on', async () => {
    const { client } = connection();
    const stream = aStream();
    await client.appendToStream(stream, [anEvent(), anEvent()]);
    await client.deleteStream(stream);
    await expect(drain(client.readStream(stream))).rejects.toBeInstanceOf(StreamNotFoundError);
    await client.appendToStream(stream, [anEvent('Revived')], { expectedRevision: 'no_stream' });
    const after = await drain(client.readStream(stream));
    expect(after.map((e) => [e.event!.type, e.event!.revision])).toEqual([['Revived', 2n]]);
  });
});
