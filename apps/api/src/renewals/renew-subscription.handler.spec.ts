import { DEFAULT_PROMOTIONS, accountStreamId, subscriptionStreamId } from '@ledger/domain';
import { EventToAppend, ExpectedRevision, MemoryEventStore, StreamStates } from '@ledger/event-store';
import { SandboxPaymentGateway } from '@ledger/payments';
import { PersonalDataVault, testSecrets } from '@ledger/identity';

const vaultOnly = { vault: new PersonalDataVault(testSecrets().dataKey, testSecrets().fingerprintKey) };
import { RenewSubscriptionCommand } from './renew-subscription.command';
import { RenewSubscriptionHandler } from './renew-subscription.handler';

const meta = { commandId: 'seed', correlationId: 'seed', causationId: 'seed', actor: 'test', idempotencyKey: 'seed' };
const now = () => new Date().toISOString();

/** Lets a test act right after an append, to stage the races a real deployment has. */
class HookedStore extends MemoryEventStore {
  afterAppend: ((streamId: string, events: readonly EventToAppend[]) => Promise<void>) | null = null;
  override async appendToStream(streamId: string, events: readonly EventToAppend[], expected: ExpectedRevision) {
    const result = await super.appendToStream(streamId, events, expected);
    const hook = this.afterAppend;
    if (hook) await hook(streamId, events);
    return result;
  }
}

const seed = async (store: MemoryEventStore, cards: string[]) => {
  await store.appendToStream(
    accountStreamId('acc'),
    [
      {
        id: '00000000-0000-4000-8000-000000000001',
        type: 'AccountRegistered',
        data: { accountId: 'acc', registeredAt: now() },
        metadata: meta,
      },
    ],
    'no_stream',
  );
  for (const [i, id] of cards.entries()) {
    const data = { subscriptionId: id, accountId: 'acc', iccid: '8949020000012345678', region: 'EU', openedAt: now() };
    await store.appendToStream(
      subscriptionStreamId(id),
      [{ id: `00000000-0000-4000-8000-00000000010${i}`, type: 'SubscriptionOpened', data, metadata: meta }],
      'no_stream',
    );
  }
};

const renew = (handler: RenewSubscriptionHandler, card: string, key: string, token = 'tok_visa') =>
  handler.execute(
    new RenewSubscriptionCommand(
      card,
      key,
      { planId: 'eu-daily-1gb', paymentMethod: { type: 'card', token } },
      { commandId: key, correlationId: key, actor: 'test', now: now() },
    ),
  );

describe('first-order discount under races', () => {
  it('is granted once per account even when a claim is released and claimed again', async () => {
    const store = new HookedStore();
    const [card1, card2] = ['11111111-1111-4111-8111-111111111111', '22222222-2222-4222-8222-222222222222'];
    await seed(store, [card1, card2]);
    const handler = new RenewSubscriptionHandler(
      store,
      new StreamStates(store),
      new SandboxPaymentGateway(),
      DEFAULT_PROMOTIONS,
      vaultOnly,
    );
    // Renewal B claims; before its PlanSelected lands, renewal A of the same card goes pending.
    let releaseA!: () => void;
    const held = new Promise<void>((r) => (releaseA = r));
    const slow = { capture: async (r: any) => (await held, new SandboxPaymentGateway().capture(r)) };
    let a: Promise<unknown> = Promise.resolve();
    store.afterAppend = async (streamId, events) => {
      if (streamId !== accountStreamId('acc') || events[0].type !== 'FirstOrderDiscountClaimed') return;
      store.afterAppend = null;
      a = renew(
        new RenewSubscriptionHandler(store, new StreamStates(store), slow, { ...DEFAULT_PROMOTIONS, firstOrderPercentOffBp: 0 }, vaultOnly),
        card1,
        'A',
      );
      while (!(await store.readStream(subscriptionStreamId(card1))).some((e) => e.type === 'PlanSelected'))
        await new Promise((r) => setTimeout(r, 1));
    };
    await expect(renew(handler, card1, 'B')).rejects.toMatchObject({ code: 'RENEWAL_IN_PROGRESS' });
    releaseA();
    await a;
    await expect(renew(handler, card1, 'B')).resolves.toMatchObject({ status: 'completed' });
    await renew(handler, card2, 'C');

    const firstOrders = (await store.readAll({ limit: 1000 }))
      .filter((e) => e.type === 'PlanSelected')
      .filter((e) => (e.data as { discounts: { kind: string }[] }).discounts.some((d) => d.kind === 'first_order'));
    expect(firstOrders).toHaveLength(1);
    const account = (await store.readStream(accountStreamId('acc'))).map((e) => e.type);
    expect(
      account.filter((t) => t === 'FirstOrderDiscountClaimed').length - account.filter((t) => t === 'FirstOrderDiscountReleased').length,
    ).toBe(1);
  });

  it('gives the discount back when a retry finds the payment failed but the claim still held', async () => {
    const store = new MemoryEventStore();
    const card = '33333333-3333-4333-8333-333333333333';
    await seed(store, [card]);
    const handler = new RenewSubscriptionHandler(
      store,
      new StreamStates(store),
      new SandboxPaymentGateway(),
      DEFAULT_PROMOTIONS,
      vaultOnly,
    );
    // Simulate a crash after PaymentFailed and before the release: drop the release once.
    const release = (handler as any).releaseFirstOrder.bind(handler);
    (handler as any).releaseFirstOrder = async () => undefined;
    await renew(handler, card, 'D', 'tok_decline');
    (handler as any).releaseFirstOrder = release;
    expect((await store.readStream(accountStreamId('acc'))).at(-1)!.type).toBe('FirstOrderDiscountClaimed');
    await expect(renew(handler, card, 'D', 'tok_decline')).resolves.toMatchObject({ status: 'failed' });
    expect((await store.readStream(accountStreamId('acc'))).at(-1)!.type).toBe('FirstOrderDiscountReleased');
  });
});
