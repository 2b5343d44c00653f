import { CheckedEventStore, EventSchemaError, MemoryEventStore } from '@ledger/event-store';
import { cardHistory } from '../testing/card-history';
import { StoredEventCheck } from './stored-event-check';

const check = new StoredEventCheck();
const card = '6f1c3a52-0c1e-4c59-9a7e-0d4a8f3b2c11';
const stream = `subscription-${card}`;
const history = cardHistory(card, { renewals: 6 });
const selected = history.find((e) => e.type === 'PlanSelected')!;

describe('the schema check on the append path', () => {
  it('accepts every event the deciders write', () => {
    for (const e of history) expect({ type: e.type, errors: check.errors(stream, e.type, e.data) }).toEqual({ type: e.type, errors: [] });
  });

  it.each([
    ['a missing payment method', { paymentMethod: undefined }],
    ['an array as payment method', { paymentMethod: [] }],
    ['an unknown plan kind', { kind: 'weekly' }],
    ['a fractional price', { price: { amountMinor: 1.5, currency: 'EUR' } }],
    ['an unknown field', { note: 'x' }],
    ['no request hash', { requestHash: undefined }],
  ])('refuses a PlanSelected with %s', (_name, change) => {
    const data = JSON.parse(JSON.stringify({ ...(selected.data as object), ...change }));
    expect(check.errors(stream, 'PlanSelected', data)).not.toEqual([]);
  });

  it('refuses an event type no reader knows, and a stream the ledger does not write', () => {
    expect(check.errors(stream, 'PlanSelcted', selected.data)).not.toEqual([]);
    expect(check.errors(`other-${card}`, 'PlanSelected', selected.data)).not.toEqual([]);
  });

  it('refuses a SubscriptionOpened naming another card than its stream', () => {
    const opened = history[0];
    expect(check.errors('subscription-00000000-0000-4000-8000-000000000000', opened.type, opened.data)).not.toEqual([]);
  });

  it('checks account events by their own schemas', () => {
    expect(check.errors('account-a1', 'AccountRegistered', { accountId: 'a1', registeredAt: '2026-01-01T00:00:00.000Z' })).toEqual([]);
    expect(check.errors('account-a1', 'AccountRegistered', { accountId: 'a1' })).not.toEqual([]);
  });

  it('stores nothing of an append with one bad event, whatever the adapter', async () => {
    const inner = new MemoryEventStore();
    const store = new CheckedEventStore(inner, (s, t, d) => check.errors(s, t, d));
    const bad = { ...selected, data: { ...(selected.data as object), paymentMethod: undefined } };
    await expect(store.appendToStream(stream, [history[0], bad], 'no_stream')).rejects.toThrow(EventSchemaError);
    expect(await inner.readStream(stream)).toEqual([]);
  });
});
