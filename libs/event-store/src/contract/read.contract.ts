import { EventStore, EventToAppend, RecordedEvent, SubscribeOptions } from '../port/event-store.port';
import { anEvent, events, streamName } from './contract-fixtures';
import type { ContractContext } from './event-store.contract';

const isAscending = (log: readonly RecordedEvent[]): boolean => log.every((e, i) => i === 0 || log[i - 1].position < e.position);

/** Reads every page of size `limit` until an empty one; what a catch-up reader does. */
export const readAllPages = async (store: EventStore, options: Omit<SubscribeOptions, 'maxBatchSize'>, limit: number) => {
  const pages: RecordedEvent[][] = [];
  let fromPosition = options.fromPosition;
  // Bounded: paging that does not advance must fail the test, not spin it forever.
  for (let n = 0; n < 100; n++) {
    const page = await store.readAll({ ...options, fromPosition, limit });
    if (page.length === 0) return pages;
    expect(page.length).toBeLessThanOrEqual(limit);
    pages.push(page);
    fromPosition = page[page.length - 1].position;
  }
  throw new Error(`readAll paging did not reach the end within 100 pages of ${limit}`);
};

/** Appends one event at a time, alternating streams, so the global order interleaves them. */
const interleave = async (store: EventStore, writes: readonly [string, EventToAppend][]): Promise<void> => {
  for (const [stream, event] of writes) await store.appendToStream(stream, [event], 'any');
};

export const readContract = (ctx: ContractContext): void => {
  it('reads a stream that does not exist as empty', async () => {
    expect(await ctx.store().readStream(streamName('nothing'))).toEqual([]);
  });

  it('reads a stream back in revision order with everything that was appended', async () => {
    const stream = streamName('roundtrip');
    const written = [anEvent('Opened', { iccid: '8988', amount: 1299 }), anEvent('Renewed', { days: 30 })];
    await ctx.store().appendToStream(stream, written, 'no_stream');
    const read = await ctx.store().readStream(stream);
    expect(read).toEqual(
      written.map((e, revision) => ({ ...e, streamId: stream, revision, position: expect.any(BigInt), recordedAt: expect.any(String) })),
    );
    expect(new Date(read[0].recordedAt).toISOString()).toBe(read[0].recordedAt);
    expect(isAscending(read)).toBe(true);
  });

  it('reads the global log in append order across streams', async () => {
    const [a, b] = [streamName('a'), streamName('b')];
    const writes = events(6).map((e, i) => [i % 2 ? b : a, e] as [string, EventToAppend]);
    await interleave(ctx.store(), writes);
    const log = await ctx.store().readAll({ limit: 100 });
    expect(log.map((e) => e.id)).toEqual(writes.map(([, e]) => e.id));
    expect(isAscending(log)).toBe(true);
  });

  it('pages the global log after an exclusive position without gaps or repeats', async () => {
    const written = events(7);
    for (const e of written) await ctx.store().appendToStream(streamName('page'), [e], 'no_stream');
    const pages = await readAllPages(ctx.store(), {}, 3);
    expect(pages.map((p) => p.length)).toEqual([3, 3, 1]);
    expect(pages.flat().map((e) => e.id)).toEqual(written.map((e) => e.id));
    const [, second] = pages;
    const after = await ctx.store().readAll({ fromPosition: second[0].position, limit: 100 });
    expect(after.map((e) => e.id)).toEqual(written.slice(4).map((e) => e.id));
  });

  it('filters the global log by stream prefix, taking the prefix literally', async () => {
    const [card, account, lookalike] = [streamName('sub_scription'), streamName('acc%ount'), streamName('subXscription')];
    await interleave(ctx.store(), [
      [card, anEvent()],
      [lookalike, anEvent()],
      [account, anEvent()],
      [card, anEvent()],
    ]);
    const only = await ctx.store().readAll({ filter: { streamPrefixes: ['sub_scription-'] }, limit: 100 });
    expect(only.map((e) => e.streamId)).toEqual([card, card]);
    const either = await ctx.store().readAll({ filter: { streamPrefixes: ['sub_scription-', 'acc%ount-'] }, limit: 100 });
    expect(either.map((e) => e.streamId)).toEqual([card, account, card]);
  });

  it('filters the global log by event type, and by both filters together', async () => {
    const [card, account] = [streamName('card'), streamName('account')];
    await interleave(ctx.store(), [
      [card, anEvent('PlanSelected')],
      [account, anEvent('PaymentCaptured')],
      [card, anEvent('PaymentCaptured')],
      [card, anEvent('ValidityExtended')],
    ]);
    const captured = await ctx.store().readAll({ filter: { eventTypes: ['PaymentCaptured', 'ValidityExtended'] }, limit: 100 });
    expect(captured.map((e) => [e.streamId, e.type])).toEqual([
      [account, 'PaymentCaptured'],
      [card, 'PaymentCaptured'],
      [card, 'ValidityExtended'],
    ]);
    const both = await ctx.store().readAll({ filter: { streamPrefixes: ['card-'], eventTypes: ['PaymentCaptured'] }, limit: 100 });
    expect(both.map((e) => [e.streamId, e.type])).toEqual([[card, 'PaymentCaptured']]);
  });

  it('fills each filtered page with matching events, skipping the others', async () => {
    const writes = events(9).map((e, i) => [i % 3 === 0 ? streamName('wanted') : streamName('other'), e] as [string, EventToAppend]);
    await interleave(ctx.store(), writes);
    const pages = await readAllPages(ctx.store(), { filter: { streamPrefixes: ['wanted-'] } }, 2);
    expect(pages.map((p) => p.length)).toEqual([2, 1]);
    expect(pages.flat().map((e) => e.id)).toEqual(writes.filter((_, i) => i % 3 === 0).map(([, e]) => e.id));
  });
};
