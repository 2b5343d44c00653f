import { ConcurrencyError, DuplicateEventIdError, ExpectedRevision, appendToStreams } from '../port/event-store.port';
import { anEvent, events, streamName } from './contract-fixtures';
import type { ContractContext } from './event-store.contract';

const conflict = (streamId: unknown, expected: ExpectedRevision, actual: number | 'no_stream') =>
  expect.objectContaining({ name: 'ConcurrencyError', streamId, expected, actual });

export const appendContract = (ctx: ContractContext): void => {
  it('appends with "any" to a missing and to an existing stream', async () => {
    const stream = streamName('any');
    const first = await ctx.store().appendToStream(stream, events(2), 'any');
    const second = await ctx.store().appendToStream(stream, events(1), 'any');
    expect([first.nextExpectedRevision, second.nextExpectedRevision]).toEqual([1, 2]);
    expect((await ctx.store().readStream(stream)).map((e) => e.revision)).toEqual([0, 1, 2]);
  });

  it('appends with "no_stream" only while the stream does not exist', async () => {
    const stream = streamName('new');
    await expect(ctx.store().appendToStream(stream, events(1), 'no_stream')).resolves.toMatchObject({ nextExpectedRevision: 0 });
    const refused = ctx.store().appendToStream(stream, events(1), 'no_stream');
    await expect(refused).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(refused).rejects.toEqual(conflict(stream, 'no_stream', 0));
    expect(await ctx.store().readStream(stream)).toHaveLength(1);
  });

  it('appends with "stream_exists" only once the stream exists', async () => {
    const stream = streamName('exists');
    await expect(ctx.store().appendToStream(stream, events(1), 'stream_exists')).rejects.toEqual(
      conflict(stream, 'stream_exists', 'no_stream'),
    );
    expect(await ctx.store().readStream(stream)).toEqual([]);
    await ctx.store().appendToStream(stream, events(1), 'no_stream');
    await expect(ctx.store().appendToStream(stream, events(1), 'stream_exists')).resolves.toMatchObject({ nextExpectedRevision: 1 });
  });

  it('appends with the exact last revision and answers the next one', async () => {
    const stream = streamName('exact');
    const { nextExpectedRevision } = await ctx.store().appendToStream(stream, events(2), 'no_stream');
    await expect(ctx.store().appendToStream(stream, events(3), nextExpectedRevision)).resolves.toMatchObject({
      nextExpectedRevision: nextExpectedRevision + 3,
    });
  });

  it('refuses a wrong revision with the actual one, and writes nothing', async () => {
    const stream = streamName('wrong');
    await ctx.store().appendToStream(stream, events(3), 'no_stream');
    const stale = ctx.store().appendToStream(stream, events(1), 0);
    await expect(stale).rejects.toBeInstanceOf(ConcurrencyError);
    await expect(stale).rejects.toEqual(conflict(stream, 0, 2));
    await expect(ctx.store().appendToStream(stream, events(1), 5)).rejects.toEqual(conflict(stream, 5, 2));
    await expect(ctx.store().appendToStream(streamName('missing'), events(1), 0)).rejects.toEqual(
      conflict(expect.any(String), 0, 'no_stream'),
    );
    expect(await ctx.store().readStream(stream)).toHaveLength(3);
  });

  it('answers the position of the last event it wrote', async () => {
    const stream = streamName('position');
    const result = await ctx.store().appendToStream(stream, events(3), 'no_stream');
    const written = await ctx.store().readStream(stream);
    expect(result.position).toBe(written[2].position);
    expect(written[0].position < written[1].position && written[1].position < written[2].position).toBe(true);
  });

  it('treats a retried append of the same event ids as done: same answer, nothing duplicated', async () => {
    const stream = streamName('retry');
    const batch = events(2);
    const first = await ctx.store().appendToStream(stream, batch, 'no_stream');
    // The retry carries the expectation of the first attempt, which is stale by now.
    const retried = await ctx.store().appendToStream(stream, batch, 'no_stream');
    expect(retried).toEqual({ ...first, replayed: true });
    expect((await ctx.store().readStream(stream)).map((e) => e.id)).toEqual(batch.map((e) => e.id));
    expect((await ctx.store().readAll({ limit: 100 })).filter((e) => e.streamId === stream)).toHaveLength(2);
  });

  it('still recognises a retried append after the stream moved on', async () => {
    const stream = streamName('retry-late');
    const batch = events(2);
    const first = await ctx.store().appendToStream(stream, batch, 'no_stream');
    await ctx.store().appendToStream(stream, events(1), first.nextExpectedRevision);
    await expect(ctx.store().appendToStream(stream, batch, 'no_stream')).resolves.toEqual({ ...first, replayed: true });
    expect(await ctx.store().readStream(stream)).toHaveLength(3);
  });

  it('refuses an event id that already exists in another stream', async () => {
    const taken = anEvent();
    await ctx.store().appendToStream(streamName('first'), [taken], 'any');
    const other = streamName('second');
    const reused = ctx.store().appendToStream(other, [anEvent(), taken], 'any');
    await expect(reused).rejects.toBeInstanceOf(DuplicateEventIdError);
    await expect(reused).rejects.toMatchObject({ eventId: taken.id });
    expect(await ctx.store().readStream(other)).toEqual([]);
  });

  it('refuses an event id reused at another place in the same stream', async () => {
    const stream = streamName('same');
    const [a, b] = events(2);
    await ctx.store().appendToStream(stream, [a, b], 'no_stream');
    await expect(ctx.store().appendToStream(stream, [a, anEvent()], 'any')).rejects.toBeInstanceOf(DuplicateEventIdError);
    await expect(ctx.store().appendToStream(stream, [anEvent(), b], 1)).rejects.toBeInstanceOf(DuplicateEventIdError);
    expect((await ctx.store().readStream(stream)).map((e) => e.id)).toEqual([a.id, b.id]);
  });

  it('checks the expected revision of an empty append without writing', async () => {
    const stream = streamName('empty');
    await expect(ctx.store().appendToStream(stream, [], 'stream_exists')).rejects.toBeInstanceOf(ConcurrencyError);
    await ctx.store().appendToStream(stream, events(2), 'no_stream');
    await expect(ctx.store().appendToStream(stream, [], 1)).resolves.toMatchObject({ nextExpectedRevision: 1 });
    await expect(ctx.store().appendToStream(stream, [], 0)).rejects.toBeInstanceOf(ConcurrencyError);
    expect(await ctx.store().readStream(stream)).toHaveLength(2);
  });

  it('appends to several streams at once, answering each on its own: a conflict or a clash refuses only its write', async () => {
    const [ok, stale, clash, fresh] = ['multi-ok', 'multi-stale', 'multi-clash', 'multi-new'].map(streamName);
    await ctx.store().appendToStream(ok, events(1), 'no_stream');
    await ctx.store().appendToStream(stale, events(2), 'no_stream');
    const seeded = events(2);
    await ctx.store().appendToStream(clash, seeded, 'no_stream');
    const [taken] = await ctx.store().readStream(ok);
    const batch = [events(2), events(1), [anEvent(), seeded[1]], events(3)];
    const answers = await appendToStreams(ctx.store(), [
      { streamId: ok, events: batch[0], expected: 0 },
      { streamId: stale, events: batch[1], expected: 0 },
      { streamId: clash, events: batch[2], expected: 1 },
      { streamId: fresh, events: batch[3], expected: 'no_stream' },
    ]);
    expect(answers[0]).toMatchObject({
      nextExpectedRevision: 2,
      events: [
        { id: batch[0][0].id, revision: 1 },
        { id: batch[0][1].id, revision: 2 },
      ],
    });
    expect(answers[1]).toBeInstanceOf(ConcurrencyError);
    expect(answers[1]).toMatchObject({ expected: 0, actual: 1 });
    expect(answers[3]).toMatchObject({ nextExpectedRevision: 2 });
    expect((await ctx.store().readStream(ok)).map((e) => e.id)).toEqual([taken.id, ...batch[0].map((e) => e.id)]);
    expect(await ctx.store().readStream(stale)).toHaveLength(2);
    expect((await ctx.store().readStream(fresh)).map((e) => e.id)).toEqual(batch[3].map((e) => e.id));
    expect(answers[2]).toBeInstanceOf(DuplicateEventIdError);
    expect((await ctx.store().readStream(clash)).map((e) => e.id)).toEqual(seeded.map((e) => e.id));
  });
};
