import { randomUUID } from 'node:crypto';
import { handleCommand } from '../command/handle-command';
import { ConcurrencyError } from '../port/event-store.port';
import { counter, metadata, readBarrier, streamName } from './contract-fixtures';
import type { ContractContext } from './event-store.contract';

const WRITERS = 8;

export const commandContract = (ctx: ContractContext): void => {
  it('lets exactly one of several commands decided on the same revision win', async () => {
    const stream = streamName('race');
    await handleCommand(ctx.store(), stream, counter, { by: 'seed' }, { metadata: metadata() });
    const racing = readBarrier(ctx.store(), WRITERS);
    const outcomes = await Promise.allSettled(
      Array.from({ length: WRITERS }, (_, i) =>
        handleCommand(racing, stream, counter, { by: `writer-${i}` }, { metadata: metadata(), maxAttempts: 1 }),
      ),
    );
    const won = outcomes.filter((o) => o.status === 'fulfilled');
    const lost = outcomes.flatMap((o) => (o.status === 'rejected' ? [o.reason as unknown] : []));
    expect(won).toHaveLength(1);
    expect(lost).toHaveLength(WRITERS - 1);
    for (const reason of lost) {
      expect(reason).toBeInstanceOf(ConcurrencyError);
      expect(reason).toMatchObject({ streamId: stream, expected: 0, actual: 1 });
    }
    expect((await ctx.store().readStream(stream)).map((e) => e.data)).toEqual([
      { before: 0, by: 'seed' },
      { before: 1, by: expect.stringMatching(/^writer-/) },
    ]);
  });

  it('lands every one of several parallel commands when they retry, losing no update', async () => {
    const stream = streamName('retry');
    const commands = Array.from({ length: WRITERS }, (_, i) => ({ by: `writer-${i}` }));
    // Each conflict means another writer landed in between, so WRITERS attempts always suffice.
    await Promise.all(commands.map((c) => handleCommand(ctx.store(), stream, counter, c, { metadata: metadata(), maxAttempts: WRITERS })));
    const written = await ctx.store().readStream(stream);
    expect(written.map((e) => (e.data as { before: number }).before)).toEqual(written.map((e) => e.revision));
    expect(written.map((e) => (e.data as { by: string }).by).sort()).toEqual(commands.map((c) => c.by).sort());
  });

  it('deduplicates a retried command by its idempotency key', async () => {
    const stream = streamName('idempotent');
    const key = randomUUID();
    const first = await handleCommand(ctx.store(), stream, counter, { by: 'client' }, { metadata: metadata(key) });
    const retried = await handleCommand(ctx.store(), stream, counter, { by: 'client' }, { metadata: metadata(key) });
    expect(retried.appended.map((e) => [e.id, e.position])).toEqual(first.appended.map((e) => [e.id, e.position]));
    expect(await ctx.store().readStream(stream)).toHaveLength(1);
  });
};
