import { api, data, money, newKey, when } from './api.js';
import { announce, errorBox, h, show, showError } from './dom.js';
import { dataBar } from './owner.js';

/** Sandbox test cards: a real provider's card form would tokenise the number in its own frame. */
const TEST_CARDS = [
  ['tok_visa', 'Visa ending 4242 (pays)'],
  ['tok_3ds_visa', 'Visa ending 3220 (asks for 3-D Secure)'],
  ['tok_decline_visa', 'Visa ending 0002 (declined)'],
];

const FAILURES = {
  card_declined: 'Your card was declined. Try another card or method.',
  insufficient_funds: 'Your card has insufficient funds.',
  apple_pay_declined: 'Apple Pay declined the payment.',
};

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

const offerOption = (o, i) =>
  h(
    'label',
    {},
    h('input', { type: 'radio', name: 'planId', value: o.planId, checked: i === 0, required: true }),
    h(
      'span',
      {},
      h('strong', {}, `${o.kind[0].toUpperCase()}${o.kind.slice(1)}: ${data(o.dataMb)} for ${o.days} day${o.days === 1 ? '' : 's'}`),
      ' — ',
      o.discounts.length ? h('s', {}, money(o.listPrice)) : null,
      o.discounts.length ? ' ' : null,
      h('strong', {}, money(o.price)),
      o.discounts.length ? ` (${o.discounts.map((d) => d.promotionId).join(', ')})` : null,
      h('br'),
      h('span', { class: 'muted' }, `From ${when(o.startsAt)} to ${when(o.endsAt)}`),
    ),
  );

const methodChoice = () =>
  h(
    'fieldset',
    {},
    h('legend', {}, 'Pay with'),
    h('label', {}, h('input', { type: 'radio', name: 'method', value: 'card', checked: true }), 'Card'),
    h('label', { for: 'cardToken', class: 'visually-hidden' }, 'Test card'),
    h(
      'select',
      { id: 'cardToken', name: 'cardToken', 'aria-label': 'Test card' },
      ...TEST_CARDS.map(([v, t]) => h('option', { value: v }, t)),
    ),
    h('label', {}, h('input', { type: 'radio', name: 'method', value: 'paypal' }), 'PayPal (you approve it on PayPal’s page)'),
    h('label', {}, h('input', { type: 'radio', name: 'method', value: 'apple_pay' }), 'Apple Pay'),
  );

export const renewPage = async (id, code) => {
  const [card, offers] = await Promise.all([
    api('GET', `/v1/subscriptions/${id}`),
    api('GET', `/v1/subscriptions/${id}/offers${code ? `?promotionCode=${encodeURIComponent(code)}` : ''}`).catch((err) => ({ err })),
  ]);
  if (offers.err && code) return renewPage(id, undefined).then(() => showError(document.getElementById('coupon-error'), offers.err));
  const result = h('div', { id: 'result', 'aria-live': 'polite' });
  const balance = h(
    'div',
    { id: 'balance' },
    dataBar(card),
    h('p', {}, card.expiresAt ? `Valid until ${when(card.expiresAt)}.` : 'No plan yet.'),
  );
  const errors = errorBox();
  const coupon = h('input', { id: 'promotionCode', name: 'promotionCode', value: code ?? '', autocomplete: 'off' });
  const couponError = errorBox();
  couponError.id = 'coupon-error';
  const pay = h('button', { type: 'submit' }, 'Pay');
  const planForm = h(
    'form',
    { 'aria-label': 'Choose a plan and pay', novalidate: true },
    errors,
    h('fieldset', {}, h('legend', {}, 'Plan (prices include your promotions)'), ...offers.offers.map(offerOption)),
    h('p', { class: 'muted' }, offers.rule),
    methodChoice(),
    pay,
  );
  let attempt = null;
  planForm.addEventListener('submit', async (e) => {
    e.preventDefault();
    errors.hidden = true;
    const f = new FormData(planForm);
    const method = f.get('method');
    const token = method === 'card' ? f.get('cardToken') : method === 'paypal' ? 'tok_paypal' : 'tok_applepay';
    const body = { planId: f.get('planId'), paymentMethod: { type: method, token }, ...(code ? { promotionCode: code } : {}) };
    // The same click retried (a timeout, a double click) reuses its key: charged once.
    const signature = JSON.stringify(body);
    if (attempt?.signature !== signature) attempt = { signature, key: newKey() };
    pay.disabled = true;
    try {
      await renew(id, body, attempt.key, result, balance);
      attempt = null;
    } catch (err) {
      showError(errors, err);
    } finally {
      pay.disabled = false;
    }
  });
  show(
    h('h1', {}, `Renew card ${card.iccid}`),
    balance,
    h(
      'form',
      {
        'aria-label': 'Promotion code',
        onsubmit: (e) => {
          e.preventDefault();
          renewPage(id, coupon.value.trim() || undefined);
        },
      },
      couponError,
      h('label', { for: 'promotionCode' }, 'Promotion code'),
      coupon,
      h('button', { type: 'submit' }, 'Apply'),
    ),
    planForm,
    result,
  );
};

/** Pays, follows the payment to its end (opening the provider's page when it asks), then shows the new balance. */
const renew = async (id, body, key, result, balance) => {
  result.replaceChildren(h('p', {}, 'Paying…'));
  const started = await api('POST', `/v1/subscriptions/${id}/renewals`, body, { 'Idempotency-Key': key });
  let r = started;
  let opened = false;
  while (r.status === 'pending') {
    if (r.nextAction && !opened) {
      opened = true;
      const label = r.nextAction.type === 'approve' ? 'Approve the payment at PayPal' : 'Confirm the payment with your bank';
      window.open(r.nextAction.url, '_blank', 'noopener');
      result.replaceChildren(
        h(
          'p',
          { class: 'notice' },
          `${label}: a new window opened. If it did not, `,
          h('a', { href: r.nextAction.url, target: '_blank', rel: 'noopener' }, 'open it here'),
          '. This page updates by itself.',
        ),
      );
    }
    await sleep(1000);
    r = await api('GET', `/v1/subscriptions/${id}/renewals/${r.renewalId}`);
  }
  if (r.status !== 'completed') {
    const why =
      FAILURES[r.reason] ??
      (r.status === 'abandoned'
        ? 'The payment was not confirmed in time; nothing was charged.'
        : 'The payment did not go through; nothing was charged.');
    result.replaceChildren(h('p', { class: 'error', role: 'alert' }, why));
    return;
  }
  // Read your writes: the card read model at least as far as the answer, then until it shows the extension.
  let card = await api('GET', `/v1/subscriptions/${id}?minPosition=${started.position}`);
  for (let i = 0; i < 20 && r.newExpiry && card.expiresAt !== r.newExpiry; i++) {
    await sleep(250);
    card = await api('GET', `/v1/subscriptions/${id}`);
  }
  balance.replaceChildren(dataBar(card), h('p', {}, `Valid until ${when(card.expiresAt)}.`));
  result.replaceChildren(
    h('p', { class: 'ok', id: 'renewed' }, `Renewed: ${data(card.dataRemainingMb)} left, valid until ${when(card.expiresAt)}.`),
  );
  announce('Renewed.');
};
