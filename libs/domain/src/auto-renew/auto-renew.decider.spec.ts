import { AutoRenew, AutoRenewCommand, AutoRenewEvent, autoRenewDecider } from './auto-renew.decider';

const eur = (amountMinor: number) => ({ amountMinor, currency: 'EUR' });
const run = (commands: AutoRenewCommand[]): { events: AutoRenewEvent[]; state: AutoRenew } => {
  let state = autoRenewDecider.initialState();
  const events: AutoRenewEvent[] = [];
  for (const c of commands)
    for (const e of autoRenewDecider.decide(c, state)) {
      state = autoRenewDecider.evolve(state, e);
      events.push(e);
    }
  return { events, state };
};
const enable: AutoRenewCommand = {
  type: 'EnableAutoRenew',
  subscriptionId: 's',
  planId: 'eu-monthly-10gb',
  paymentMethod: 'card',
  sealedToken: 'k~v',
  monthlyCap: eur(2500),
  now: '2026-12-01T00:00:00.000Z',
};
const answer = (reminderId: string, periodEnd: string, amount = 1999, now = '2026-12-02T00:00:00.000Z'): AutoRenewCommand => ({
  type: 'AnswerReminder',
  reminderId,
  periodEnd,
  renewalId: `ren-${reminderId}`,
  price: eur(amount),
  now,
});

describe('auto-renew mandate', () => {
  it('answers one reminder per validity end: low data and validity ending due together renew once', () => {
    const { events } = run([
      enable,
      answer('low_data:b1', '2026-12-31T00:00:00.000Z'),
      answer('validity_ending:x', '2026-12-31T00:00:00.000Z'),
    ]);
    expect(events.map((e) => e.type)).toEqual(['AutoRenewEnabled', 'AutoRenewAttempted']);
  });

  it('answers the same reminder once, however often it is read', () => {
    const { events } = run([enable, answer('r1', 'e1'), answer('r1', 'e1'), answer('r1', 'e1')]);
    expect(events.filter((e) => e.type === 'AutoRenewAttempted')).toHaveLength(1);
  });

  it('skips what would pass the month’s cap, and counts again from the next month', () => {
    const { events, state } = run([enable, answer('r1', 'e1'), answer('r2', 'e2'), answer('r3', 'e3', 1999, '2027-01-01T00:00:00.000Z')]);
    expect(events.map((e) => e.type)).toEqual(['AutoRenewEnabled', 'AutoRenewAttempted', 'AutoRenewSkipped', 'AutoRenewAttempted']);
    expect(state.spent).toEqual({ '2026-12': 1999, '2027-01': 1999 });
  });

  it('does nothing when off, and the off switch is idempotent', () => {
    const { events } = run([
      answer('r1', 'e1'),
      enable,
      { type: 'DisableAutoRenew', now: 't' },
      { type: 'DisableAutoRenew', now: 't' },
      answer('r2', 'e2'),
    ]);
    expect(events.map((e) => e.type)).toEqual(['AutoRenewEnabled', 'AutoRenewDisabled']);
  });
});
