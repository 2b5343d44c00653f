// The ledger's own JSON API, with the session kept for this browser tab only.
const KEY = 'ledger.session';

export const session = {
  get: () => JSON.parse(sessionStorage.getItem(KEY) ?? 'null'),
  set: (s) => sessionStorage.setItem(KEY, JSON.stringify(s)),
  clear: () => sessionStorage.removeItem(KEY),
};

/** An answer the API refused: its problem+json words, and the field it names. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem?.detail ?? problem?.title ?? `the ledger answered ${status}`);
    this.status = status;
    this.code = problem?.code;
    this.field = problem?.field ?? problem?.errors?.[0]?.field;
  }
}

const send = async (method, path, body, headers = {}) => {
  const s = session.get();
  const res = await fetch(path, {
    method,
    headers: {
      accept: 'application/json',
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(s ? { authorization: `Bearer ${s.accessToken}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  const json = text ? JSON.parse(text) : null;
  return { res, json };
};

/** One call; an expired access token is refreshed once and the call made again. */
export const api = async (method, path, body, headers) => {
  let { res, json } = await send(method, path, body, headers);
  const s = session.get();
  if (res.status === 401 && s?.refreshToken && !path.startsWith('/v1/auth/')) {
    const r = await send('POST', '/v1/auth/refresh', { refreshToken: s.refreshToken });
    if (r.res.ok) {
      session.set({ ...s, ...r.json });
      ({ res, json } = await send(method, path, body, headers));
    } else session.clear();
  }
  if (!res.ok) throw new ApiError(res.status, json);
  return json;
};

export const money = (m) =>
  new Intl.NumberFormat('en', { style: 'currency', currency: m.currency }).format(m.amountMinor / 10 ** minorDigits(m.currency));

const minorDigits = (currency) => new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;

export const data = (mb) => (mb >= 1024 ? `${(mb / 1024).toFixed(mb % 1024 ? 1 : 0)} GB` : `${mb} MB`);

export const when = (iso) => new Date(iso).toLocaleString('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' }) + ' UTC';

export const newKey = () => crypto.randomUUID();
