/** The owner's first steps over plain HTTP, as a client (or the console) takes them. */
export interface Owner {
  readonly accountId: string;
  readonly accessToken: string;
  readonly refreshToken: string;
  readonly phoneNumber: string;
}

let next = 0;
/** Distinct, valid E.164 numbers per process, so suites never collide on "one account per phone". */
export const freshPhone = (): string => `+4915${String(process.pid % 1000).padStart(3, '0')}${String(next++).padStart(6, '0')}`;

type Send = (method: string, url: string, body?: unknown, headers?: Record<string, string>) => Promise<{ status: number; body: any }>;

export const fetchSender =
  (base: string): Send =>
  async (method, url, body, headers = {}) => {
    const res = await fetch(`${base}${url}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };

const expectStatus = (step: string, got: { status: number; body: unknown }, want: number): void => {
  if (got.status !== want) throw new Error(`${step}: expected ${want}, got ${got.status} ${JSON.stringify(got.body)}`);
};

/** Register, read the code from the sandbox SMS sink, verify, log in. */
export const signUp = async (send: Send, phoneNumber = freshPhone(), password = 'correct horse battery'): Promise<Owner> => {
  expectStatus('register', await send('POST', '/v1/auth/register', { phoneNumber }), 202);
  const sms = await send('GET', `/v1/sandbox/sms?phoneNumber=${encodeURIComponent(phoneNumber)}`);
  const code = /\b(\d{6})\b/.exec(sms.body?.messages?.[0]?.text ?? '')?.[1];
  if (!code) throw new Error(`no code in the sandbox SMS sink for ${phoneNumber}`);
  expectStatus('verify', await send('POST', '/v1/auth/verify', { phoneNumber, code, password }), 200);
  const login = await send('POST', '/v1/auth/login', { phoneNumber, password });
  expectStatus('login', login, 200);
  return { accountId: login.body.accountId, accessToken: login.body.accessToken, refreshToken: login.body.refreshToken, phoneNumber };
};

export const bearer = (token: string): Record<string, string> => ({ authorization: `Bearer ${token}` });

let iccids = 0;
/** A distinct ICCID per card (they are unique across cards). */
export const freshIccid = (): string => `894902${String(process.pid % 10_000).padStart(4, '0')}${String(iccids++).padStart(9, '0')}`;

/** The owner opens a card of their own (a fresh ICCID, region EU) over HTTP. */
export const openOwnCard = (send: Send, owner: Owner, headers: Record<string, string> = {}) =>
  send(
    'POST',
    '/v1/subscriptions',
    { accountId: owner.accountId, iccid: freshIccid(), region: 'EU' },
    { ...bearer(owner.accessToken), ...headers },
  );
