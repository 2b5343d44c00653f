import { api, data, money, newKey, session, when } from './api.js';
import { announce, field, form, h, show } from './dom.js';

const PHONE = { type: 'tel', autocomplete: 'tel', placeholder: '+491701234567', required: true };

export const registerPage = () =>
  show(
    h('h1', {}, 'Create your account'),
    h('p', {}, 'We text you a six-digit code to check the number is yours.'),
    form('Register', field('phoneNumber', 'Mobile number (with country code)', PHONE), 'Send the code', async (f) => {
      await api('POST', '/v1/auth/register', { phoneNumber: f.get('phoneNumber') });
      sessionStorage.setItem('ledger.phone', f.get('phoneNumber'));
      location.hash = '#/verify';
    }),
  );

/** The sandbox SMS sink (answers on this machine only): how a local user reads the code. */
const sandboxCode = (phone) => {
  const out = h('p', { class: 'muted' });
  const button = h('button', { type: 'button', class: 'link' }, 'Show the text the sandbox sent');
  button.addEventListener('click', async () => {
    try {
      const { messages } = await api('GET', `/v1/sandbox/sms?phoneNumber=${encodeURIComponent(phone)}`);
      out.textContent = messages.length ? messages[0].text : 'No text yet.';
    } catch (err) {
      out.textContent = err.message;
    }
  });
  return h('div', {}, button, out);
};

export const verifyPage = () => {
  const phone = sessionStorage.getItem('ledger.phone') ?? '';
  show(
    h('h1', {}, 'Enter your code'),
    h('p', {}, `We sent a code to ${phone || 'your number'}. Choose a password for your account.`),
    form(
      'Verify',
      [
        ...field('phoneNumber', 'Mobile number', { ...PHONE, value: phone }),
        ...field('code', 'Six-digit code', { inputmode: 'numeric', autocomplete: 'one-time-code', required: true }),
        ...field('password', 'Password (at least 8 characters)', { type: 'password', autocomplete: 'new-password', required: true }),
      ],
      'Verify and log in',
      async (f) => {
        const credentials = { phoneNumber: f.get('phoneNumber'), password: f.get('password') };
        await api('POST', '/v1/auth/verify', { ...credentials, code: f.get('code') });
        await logIn(credentials);
      },
    ),
    phone ? sandboxCode(phone) : null,
  );
};

const logIn = async (credentials) => {
  const s = await api('POST', '/v1/auth/login', credentials);
  session.set({ ...s, role: 'owner' });
  location.hash = '#/cards';
};

export const loginPage = () =>
  show(
    h('h1', {}, 'Log in'),
    form(
      'Log in',
      [
        ...field('phoneNumber', 'Mobile number', PHONE),
        ...field('password', 'Password', { type: 'password', autocomplete: 'current-password', required: true }),
      ],
      'Log in',
      (f) => logIn({ phoneNumber: f.get('phoneNumber'), password: f.get('password') }),
    ),
    h('p', {}, 'New here? ', h('a', { href: '#/register' }, 'Create an account'), '.'),
  );

/** Data left as a bar: what the live buckets still hold of what they were granted. */
export const dataBar = (card) => {
  const granted = card.buckets.reduce((s, b) => s + b.mbGranted, 0);
  const pct = granted ? Math.round((card.dataRemainingMb / granted) * 100) : 0;
  return h(
    'div',
    {},
    h('p', {}, h('strong', {}, `${data(card.dataRemainingMb)} left`), granted ? ` of ${data(granted)}` : ''),
    h(
      'div',
      { class: 'bar', role: 'progressbar', 'aria-label': 'Data left', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': pct },
      h('span', { style: `width:${pct}%` }),
    ),
  );
};

const validity = (card) =>
  card.expiresAt === null
    ? 'No plan yet.'
    : card.status === 'expired'
      ? `Validity ended ${when(card.expiresAt)}.`
      : `Valid until ${when(card.expiresAt)}.`;

/** "At your pace…": the API's forecast in a sentence. */
export const forecastText = (f) => {
  if (!f || f.endsFirst === null) return null;
  if (f.endsFirst === 'data')
    return `At your pace (${data(Math.round(f.mbPerDay))} a day) your data runs out in about ${f.daysLeft} day${f.daysLeft === 1 ? '' : 's'}, before your validity ends.`;
  return f.mbPerDay > 0
    ? `At your pace (${data(Math.round(f.mbPerDay))} a day) your data lasts; your validity ends first, in about ${f.daysLeft} day${f.daysLeft === 1 ? '' : 's'}.`
    : `Your validity ends in about ${f.daysLeft} day${f.daysLeft === 1 ? '' : 's'}.`;
};

/** The card's reminder (RenewalReminderDue, written by the card watch), in words. */
export const reminderText = (card) => {
  if (!card.reminder) return null;
  const runsOut = card.reminder.dataRunsOutAt ? ` At your pace it runs out around ${when(card.reminder.dataRunsOutAt)}.` : '';
  return card.reminder.reason === 'low_data'
    ? `Your data is running low: renew now so you are not cut off.${runsOut}`
    : `Your validity ends ${when(card.expiresAt)}: renew now to keep the card working.`;
};

const cardSummary = (card) =>
  h(
    'section',
    { class: 'card', 'aria-label': `Card ${card.iccid}` },
    h('h2', {}, h('a', { href: `#/cards/${card.subscriptionId}` }, `Card ${card.iccid}`), ` · ${card.region}`),
    dataBar(card),
    h('p', {}, validity(card)),
    reminderText(card) ? h('p', { class: 'notice' }, reminderText(card)) : null,
    h('a', { class: 'button', href: `#/cards/${card.subscriptionId}/renew` }, 'Renew'),
  );

export const cardsPage = async () => {
  const me = await api('GET', '/v1/accounts/me');
  const cards = await Promise.all(me.cards.map((c) => api('GET', `/v1/subscriptions/${c.subscriptionId}`)));
  show(
    h('h1', {}, 'My cards'),
    cards.length ? cards.map(cardSummary) : h('p', {}, 'No card yet: add the one you bought.'),
    h('h2', {}, 'Add a card'),
    form(
      'Add a card',
      [
        ...field('iccid', 'ICCID (the 19–20 digits on the card)', { inputmode: 'numeric', required: true }),
        h('label', { for: 'region' }, 'Region'),
        h('select', { id: 'region', name: 'region' }, ...['EU', 'US', 'APAC'].map((r) => h('option', { value: r }, r))),
      ],
      'Add the card',
      async (f) => {
        await api('POST', '/v1/subscriptions', { iccid: f.get('iccid').replace(/\s/g, ''), region: f.get('region') });
        announce('Card added.');
        await cardsPage();
      },
    ),
  );
};

const EVENT_WORDS = {
  SubscriptionOpened: 'Card added',
  PlanSelected: 'Plan chosen',
  PaymentActionRequired: 'Waiting for your approval at the payment provider',
  PaymentCaptured: 'Paid',
  PaymentFailed: 'Payment failed',
  ValidityExtended: 'Validity and data extended',
  DataUsageRecorded: 'Data used',
  DataExpired: 'Unused data expired',
  RenewalAbandoned: 'Renewal abandoned (not confirmed in time)',
  RenewalReminderDue: 'Reminder: time to renew',
  PaymentRefunded: 'Refunded',
  EntitlementRevoked: 'Days or data taken back after a refund',
};

export const eventLine = (e, withActor = false) => {
  const d = e.data ?? {};
  const extra =
    e.type === 'DataUsageRecorded'
      ? `: ${data(d.mb)}`
      : e.type === 'PaymentCaptured'
        ? `: ${money(d.amount)} by ${d.method}`
        : e.type === 'ValidityExtended'
          ? `: until ${when(d.newExpiry)}, +${data(d.dataMbGranted)}`
          : e.type === 'PaymentFailed'
            ? `: ${d.reason ?? ''}`
            : '';
  return h(
    'li',
    {},
    h('span', { class: 'muted' }, when(e.recordedAt)),
    ' ',
    `${EVENT_WORDS[e.type] ?? e.type}${extra}`,
    withActor ? h('span', { class: 'muted' }, ` — by ${e.metadata?.actor ?? 'unknown'}`) : null,
  );
};

/** Opt-in auto-renew: the plan, a saved card or Apple Pay, a monthly cap; and the off switch. */
const autoRenewSection = (id, auto, offers) => {
  const section = h('section', { 'aria-labelledby': 'auto-renew-title' }, h('h2', { id: 'auto-renew-title' }, 'Auto-renew'));
  const currency = offers.offers[0]?.price.currency ?? 'EUR';
  if (auto.enabled) {
    const status = h(
      'p',
      { id: 'auto-renew-status' },
      `On: ${auto.planId} when a reminder is due, by ${auto.paymentMethod === 'card' ? 'card' : 'Apple Pay'}, at most ${money(auto.monthlyCap)} a month (${money({ amountMinor: auto.spentThisMonth, currency: auto.monthlyCap.currency })} this month).`,
    );
    const off = h('button', { type: 'button' }, 'Turn auto-renew off');
    off.addEventListener('click', async () => {
      await api('DELETE', `/v1/subscriptions/${id}/auto-renew`);
      announce('Auto-renew is off.');
      await cardPage(id);
    });
    section.append(status, off);
    return section;
  }
  section.append(
    h('p', {}, 'Renew automatically when your data runs low or your validity is about to end.'),
    form(
      'Auto-renew',
      [
        h('label', { for: 'auto-plan' }, 'Plan'),
        h(
          'select',
          { id: 'auto-plan', name: 'planId' },
          ...offers.offers.map((o) => h('option', { value: o.planId }, `${o.kind}: ${data(o.dataMb)} for ${o.days} days`)),
        ),
        h('label', { for: 'auto-method' }, 'Pay with'),
        h(
          'select',
          { id: 'auto-method', name: 'method' },
          h('option', { value: 'card:tok_visa' }, 'Saved card, Visa ending 4242'),
          h('option', { value: 'apple_pay:tok_applepay' }, 'Apple Pay'),
        ),
        ...field('monthlyCapMinor', `At most this much a month (${currency})`, { inputmode: 'decimal', required: true, value: '25' }),
      ],
      'Turn auto-renew on',
      async (f) => {
        const [type, token] = String(f.get('method')).split(':');
        const cap = Math.round(Number(String(f.get('monthlyCapMinor')).replace(',', '.')) * 100);
        await api('PUT', `/v1/subscriptions/${id}/auto-renew`, {
          planId: f.get('planId'),
          paymentMethod: { type, token },
          monthlyCapMinor: cap,
        });
        announce('Auto-renew is on.');
        await cardPage(id);
      },
    ),
  );
  return section;
};

export const cardPage = async (id) => {
  const [card, history, auto, offers] = await Promise.all([
    api('GET', `/v1/subscriptions/${id}`),
    api('GET', `/v1/subscriptions/${id}/events`),
    api('GET', `/v1/subscriptions/${id}/auto-renew`),
    api('GET', `/v1/subscriptions/${id}/offers`),
  ]);
  const forecast = forecastText(card.forecast);
  show(
    h('h1', {}, `Card ${card.iccid}`),
    dataBar(card),
    h('p', {}, validity(card)),
    forecast ? h('p', { id: 'forecast' }, forecast) : null,
    reminderText(card) ? h('p', { class: 'notice', id: 'reminder' }, reminderText(card)) : null,
    h('p', {}, `Plans bought: ${card.plansBought}.`),
    h('a', { class: 'button', href: `#/cards/${id}/renew` }, 'Renew'),
    autoRenewSection(id, auto, offers),
    h('h2', {}, 'History'),
    h(
      'ul',
      { class: 'plain' },
      [...history.events]
        .reverse()
        .slice(0, 50)
        .map((e) => eventLine(e)),
    ),
  );
};

export { renewPage } from './renew.js';
