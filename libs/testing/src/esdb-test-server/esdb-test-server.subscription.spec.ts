import { AllStreamResolvedEvent, AllStreamSubscription, CancelledError, Position, START, streamNameFilter } from '@eventstore/db-client';
import { aStream, anEvent, drain, useTestServer } from './test-client';

/** Collects a live subscription's events, the caught-up signal and checkpoints, as the client reports them. */
const watch = (subscription: AllStreamSubscription) => {
  const seen = { events: [] as AllStreamResolvedEvent[], caughtUpAfter: -1, errors: [] as unknown[] };
  subscription.on('data', (e: AllStreamResolvedEvent) => seen.events.push(e));
  subscription.on('caughtUp', () => (seen.caughtUpAfter = seen.events.length));
  subscription.on('error', (err) => seen.errors.push(err));
  return seen;
};

const until = async (condition: () => boolean): Promise<void> => {
  const deadline = Date.now() + 5_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
};

describe('EsdbTestServer catch-up subscriptions to $all, through the real client', () => {
  const connection = useTestServer();
  const open: AllStreamSubscription[] = [];
  afterEach(async () => {
    await Promise.all(open.splice(0).map((s) => s.unsubscribe()));
  });
  const subscribe = (...args: Parameters<ReturnType<typeof connection>['client']['subscribeToAll']>) => {
    const subscription = connection().client.subscribeToAll(...args);
    open.push(subscription);
    return subscription;
  };

  it('sends the history, then caught_up, then live events', async () => {
    const { client } = connection();
    await client.appendToStream(aStream(), [anEvent('Before')]);
    const seen = watch(subscribe({ fromPosition: START }));
    await until(() => seen.caughtUpAfter >= 0);
    await client.appendToStream(aStream(), [anEvent('Live')]);
    await until(() => seen.events.some((e) => e.event?.type === 'Live'));
    expect(seen.events.map((e) => e.event!.type)).toEqual(['$metadata', '$metadata', 'Before', 'Live']);
    expect(seen.caughtUpAfter).toBe(3);
  });

  it('starts after the given position, exclusively', async () => {
    const { client } = connection();
    await client.appendToStream(aStream(), [anEvent('A'), anEvent('B'), anEvent('C')]);
    const [, b] = (await drain(client.readAll({ fromPosition: START }))).filter((e) => !e.event!.type.startsWith('$'));
    const seen = watch(subscribe({ fromPosition: b.event!.position }));
    await until(() => seen.caughtUpAfter >= 0);
    expect(seen.events.map((e) => e.event!.type)).toEqual(['C']);
  });

  it('filters by stream prefix on the server and sends a checkpoint every window of considered events', async () => {
    const { client } = connection();
    const checkpoints: Position[] = [];
    for (let i = 0; i < 40; i++) await client.appendToStream(aStream('noise'), [anEvent()]);
    const wanted = aStream('card');
    await client.appendToStream(wanted, [anEvent('Wanted')]);
    const filter = streamNameFilter({ prefixes: ['card-'], checkpointInterval: 1, checkpointReached: (_, p) => void checkpoints.push(p) });
    const seen = watch(subscribe({ fromPosition: START, filter }));
    await until(() => seen.caughtUpAfter >= 0);
    expect(seen.events.map((e) => e.event!.streamId)).toEqual([wanted]);
    // 43 events considered: one checkpoint after the first 32, one as catch-up ends.
    expect(checkpoints).toHaveLength(2);
    expect(checkpoints[1].commit).toBe(seen.events[0].event!.position.commit);
  });

  it('ends the subscription with CancelledError when the server is killed, and keeps the data for a restart', async () => {
    const { client, server } = connection();
    const stream = aStream();
    await client.appendToStream(stream, [anEvent()]);
    const seen = watch(subscribe({ fromPosition: START }));
    await until(() => seen.caughtUpAfter >= 0);
    await server.stop();
    await until(() => seen.errors.length > 0);
    expect(seen.errors[0]).toBeInstanceOf(CancelledError);
    await server.start();
    expect(await drain(client.readStream(stream))).toHaveLength(1);
  });
});
