import { api, data, session, when } from './api.js';
import { field, form, h, show } from './dom.js';
import { dataBar, eventLine } from './owner.js';

const HOME = { support: '#/support', auditor: '#/support', admin: '#/admin', finance: '#/finance' };

export const staffLoginPage = () =>
  show(
    h('h1', {}, 'Staff log in'),
    form(
      'Staff log in',
      [
        ...field('username', 'Username', { autocomplete: 'username', required: true }),
        ...field('password', 'Password', { type: 'password', autocomplete: 'current-password', required: true }),
      ],
      'Log in',
      async (f) => {
        const s = await api('POST', '/v1/auth/staff/login', { username: f.get('username'), password: f.get('password') });
        session.set(s);
        location.hash = HOME[s.role] ?? '#/support';
      },
    ),
  );

export const supportPage = () => {
  const results = h('div', { id: 'results', 'aria-live': 'polite' });
  show(
    h('h1', {}, 'Find a card'),
    form(
      'Find a card',
      [...field('iccid', 'ICCID', { inputmode: 'numeric' }), ...field('accountId', 'or account id', {})],
      'Find',
      async (f) => {
        const q = new URLSearchParams();
        if (f.get('iccid')) q.set('iccid', f.get('iccid').replace(/\s/g, ''));
        if (f.get('accountId')) q.set('accountId', f.get('accountId').trim());
        const { cards } = await api('GET', `/v1/subscriptions?${q}`);
        results.replaceChildren(
          cards.length
            ? h(
                'ul',
                { class: 'plain' },
                cards.map((c) =>
                  h(
                    'li',
                    {},
                    h('a', { href: `#/audit/${c.subscriptionId}` }, `Card ${c.iccid}`),
                    ` · ${c.region} · account ${c.accountId} · ${c.dataRemainingMb === null ? '' : `${data(c.dataRemainingMb)} left`}`,
                    c.expiresAt ? ` · valid until ${when(c.expiresAt)}` : ' · no plan yet',
                  ),
                ),
              )
            : h('p', {}, 'No card matches.'),
        );
      },
    ),
    results,
  );
};

/** A card's timeline with who did what: support and auditors. */
export const auditPage = async (id) => {
  const [card, history, check] = await Promise.all([
    api('GET', `/v1/subscriptions/${id}`),
    api('GET', `/v1/subscriptions/${id}/events`),
    api('GET', `/v1/subscriptions/${id}/verification`),
  ]);
  show(
    h('h1', {}, `Card ${card.iccid}`),
    h('p', {}, `Account ${card.accountId} · ${card.region} · plans bought: ${card.plansBought}`),
    h(
      'p',
      { id: 'verification', class: check.verified ? 'ok' : 'error' },
      check.verified
        ? `Hash chain verified: ${check.events} events, checked ${when(check.checkedAt)}.`
        : `Hash chain BROKEN at revision ${check.broken.revision} (event ${check.broken.eventId}): ${check.broken.reason}.`,
    ),
    h('p', { class: 'muted' }, `Checks ${check.scope}.`),
    dataBar(card),
    h('h2', {}, 'Timeline'),
    h(
      'ul',
      { class: 'plain' },
      history.events.map((e) => eventLine(e, true)),
    ),
  );
};

const totalsTable = (totals) =>
  h(
    'table',
    {},
    h(
      'thead',
      {},
      h('tr', {}, ...['', 'currency', 'charges', 'fees', 'refunds', 'chargebacks', 'net'].map((c) => h('th', { scope: 'col' }, c))),
    ),
    h(
      'tbody',
      {},
      ...['ledger', 'provider'].flatMap((side) =>
        Object.entries(totals[side]).map(([cur, t]) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, side),
            ...[cur, t.charges, t.fees, t.refunds, t.chargebacks, t.net].map((v) => h('td', {}, v)),
          ),
        ),
      ),
    ),
  );

const downloadCsv = async (seq) => {
  const res = await fetch(`/v1/finance/reconciliations/${seq}?format=csv`, {
    headers: { authorization: `Bearer ${session.get().accessToken}` },
  });
  const link = h('a', { href: URL.createObjectURL(await res.blob()), download: `reconciliation-${seq}-breaks.csv` });
  link.click();
  URL.revokeObjectURL(link.href);
};

/** Finance: a day's reconciliation runs, the latest one's totals and breaks (amounts in minor units). */
export const financePage = async () => {
  const out = h('div', { id: 'runs', 'aria-live': 'polite' });
  const load = async (day) => {
    const { runs } = await api('GET', `/v1/finance/reconciliations?day=${day}`);
    if (!runs.length) return out.replaceChildren(h('p', {}, `No reconciliation run for ${day} yet (npm run reconcile).`));
    const last = runs[runs.length - 1];
    const { report } = await api('GET', `/v1/finance/reconciliations/${last.seq}`);
    out.replaceChildren(
      h(
        'p',
        {},
        `Run ${last.seq} of ${runs.length}: ${report.matched} matched, ${report.pending.count ?? report.pending.length} pending, ${report.breaks.length} breaks.`,
      ),
      h('h2', {}, 'Totals (minor units)'),
      totalsTable(report.totals),
      h('h2', {}, 'Breaks'),
      report.breaks.length
        ? h(
            'ul',
            { class: 'plain' },
            report.breaks.map((b) => h('li', {}, h('strong', {}, b.kind), ` ${b.reference}: ${b.detail}`)),
          )
        : h('p', {}, 'None.'),
      h('button', { type: 'button', onclick: () => downloadCsv(last.seq) }, 'Download the breaks as CSV'),
    );
  };
  const today = new Date().toISOString().slice(0, 10);
  show(
    h('h1', {}, 'Reconciliation'),
    form('Choose a day', field('day', 'Day (UTC)', { type: 'date', value: today, required: true }), 'Show', (f) => load(f.get('day'))),
    out,
  );
  await load(today);
};

/** Admins manage staff and erasure from the command line (npm run staff), never over HTTP. */
export const adminPage = () =>
  show(
    h('h1', {}, 'Administration'),
    h('p', {}, 'Staff members, machine clients and erasure are managed with npm run staff on the ledger’s machine, not in the console.'),
  );
