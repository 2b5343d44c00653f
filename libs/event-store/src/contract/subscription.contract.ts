import { RecordedEvent } from '../port/event-store.port';
import { anEvent, events, streamName } from './contract-fixtures';
import type { ContractContext } from './event-store.contract';
import { SubscriptionProbe } from './subscription-probe';

const ascending = (received: readonly RecordedEvent[]): boolean =>
  received.every((e, i) => i === 0 || received[i - 1].position < e.position);

export const subscriptionContract = (ctx: ContractContext): void => {
  it('delivers the existing events, then live ones, in global order', async () => {
    const before = events(3);
    for (const e of before) await ctx.store().appendToStream(streamName('sub'), [e], 'no_stream');
    const probe = ctx.probe(ctx.store().subscribeToAll({ maxBatchSize: 2 }));
    await probe.waitFor(before[2].id);
    const live = events(3);
    await ctx.store().appendToStream(streamName('sub'), live, 'no_stream');
    await probe.waitFor(live[2].id);
    expect(probe.ids()).toEqual([...before, ...live].map((e) => e.id));
    expect(ascending(probe.received)).toBe(true);
  });

  it('starts after the given position, exclusively', async () => {
    const written = events(4);
    for (const e of written) await ctx.store().appendToStream(streamName('from'), [e], 'no_stream');
    const second = (await ctx.store().readAll({ limit: 100 }))[1];
    expect(second.id).toBe(written[1].id);
    const probe = ctx.probe(ctx.store().subscribeToAll({ fromPosition: second.position }));
    const live = anEvent();
    await ctx.store().appendToStream(streamName('from'), [live], 'no_stream');
    await probe.waitFor(live.id);
    expect(probe.ids()).toEqual([written[2].id, written[3].id, live.id]);
  });

  it('delivers only what matches its filter', async () => {
    const card = streamName('card');
    const probe = ctx.probe(ctx.store().subscribeToAll({ filter: { streamPrefixes: ['card-'], eventTypes: ['PaymentCaptured'] } }));
    const wanted = [anEvent('PaymentCaptured'), anEvent('PaymentCaptured')];
    await ctx.store().appendToStream(card, [anEvent('PlanSelected'), wanted[0]], 'no_stream');
    await ctx.store().appendToStream(streamName('account'), [anEvent('PaymentCaptured')], 'no_stream');
    await ctx.store().appendToStream(card, [anEvent('ValidityExtended'), wanted[1]], 1);
    // The last wanted event comes after every unwanted one, so once it is in, nothing else can follow.
    await probe.waitFor(wanted[1].id);
    expect(probe.ids()).toEqual(wanted.map((e) => e.id));
  });

  it('ends its iteration when closed', async () => {
    const subscription = ctx.store().subscribeToAll();
    const probe = new SubscriptionProbe(subscription);
    const first = anEvent();
    await ctx.store().appendToStream(streamName('close'), [first], 'no_stream');
    await probe.waitFor(first.id);
    await probe.close();
    await ctx.store().appendToStream(streamName('close'), [anEvent()], 'no_stream');
    expect(probe.ids()).toEqual([first.id]);
  });

  it('resumes from a stored position on a restarted store, missing nothing and repeating nothing', async () => {
    const stream = streamName('resume');
    const before = events(3);
    await ctx.store().appendToStream(stream, before, 'no_stream');

    // A consumer handles events one at a time and checkpoints each, then stops after the second.
    let checkpoint: bigint | undefined;
    const handled: string[] = [];
    const first = ctx.store().subscribeToAll({ filter: { streamPrefixes: ['resume-'] } });
    outer: for await (const batch of first) {
      for (const e of batch) {
        handled.push(e.id);
        checkpoint = e.position;
        if (handled.length === 2) break outer;
      }
    }
    await first.close();
    expect(handled).toEqual(before.slice(0, 2).map((e) => e.id));

    const restarted = await ctx.restart();
    expect((await restarted.readStream(stream)).map((e) => e.id)).toEqual(before.map((e) => e.id));
    const after = events(2);
    await restarted.appendToStream(stream, after, 2);
    const probe = ctx.probe(restarted.subscribeToAll({ fromPosition: checkpoint, filter: { streamPrefixes: ['resume-'] } }));
    await probe.waitFor(after[1].id);
    expect(probe.ids()).toEqual([before[2], ...after].map((e) => e.id));
  });
};
