import { session } from './api.js';
import { h, show } from './dom.js';
import { cardPage, cardsPage, loginPage, registerPage, renewPage, verifyPage } from './owner.js';
import { adminPage, auditPage, financePage, staffLoginPage, supportPage } from './staff.js';

const ROUTES = [
  [/^#\/register$/, registerPage],
  [/^#\/verify$/, verifyPage],
  [/^#\/login$/, loginPage],
  [/^#\/staff$/, staffLoginPage],
  [/^#\/cards$/, cardsPage],
  [/^#\/cards\/([0-9a-f-]{36})$/, cardPage],
  [/^#\/cards\/([0-9a-f-]{36})\/renew$/, renewPage],
  [/^#\/support$/, supportPage],
  [/^#\/finance$/, financePage],
  [/^#\/audit\/([0-9a-f-]{36})$/, auditPage],
  [/^#\/admin$/, adminPage],
];

const HOME = { owner: '#/cards', support: '#/support', finance: '#/finance', auditor: '#/support', admin: '#/admin' };

const nav = () => {
  const s = session.get();
  const links = s
    ? [
        ...(s.role === 'owner' ? [h('a', { href: '#/cards' }, 'My cards')] : []),
        ...(['support', 'auditor'].includes(s.role) ? [h('a', { href: '#/support' }, 'Find a card')] : []),
        ...(s.role === 'finance' ? [h('a', { href: '#/finance' }, 'Reconciliation')] : []),
        h('button', { type: 'button', class: 'link', onclick: logout }, 'Log out'),
      ]
    : [h('a', { href: '#/login' }, 'Log in'), h('a', { href: '#/register' }, 'Register'), h('a', { href: '#/staff' }, 'Staff')];
  document.getElementById('nav').replaceChildren(...links);
};

const logout = async () => {
  const s = session.get();
  session.clear();
  if (s?.refreshToken)
    await fetch('/v1/auth/logout', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ refreshToken: s.refreshToken }),
    }).catch(() => {});
  location.hash = '#/login';
};

const route = async () => {
  nav();
  const s = session.get();
  const hash = location.hash || (s ? HOME[s.role] : '#/login');
  for (const [re, page] of ROUTES) {
    const m = re.exec(hash);
    if (!m) continue;
    try {
      return await page(...m.slice(1));
    } catch (err) {
      // Logged out or expired: log in again. Anything else is said in words, on the page.
      if (err.status === 401) {
        session.clear();
        location.hash = '#/login';
        return;
      }
      return show(
        h('h1', {}, err.status === 404 ? 'Not found' : 'Something went wrong'),
        h('p', { role: 'alert', class: 'error' }, err.message),
        h('a', { href: s ? HOME[s.role] : '#/login' }, 'Back'),
      );
    }
  }
  location.hash = s ? HOME[s.role] : '#/login';
};

window.addEventListener('hashchange', route);
route();
