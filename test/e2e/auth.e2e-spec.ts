import { verifyAll } from '@ledger/event-store';
import { Identity } from '@ledger/identity';
import { IDENTITY } from '../../apps/api/src/infrastructure/tokens';
import { Harness, freshIccid, logSize, newCard, renewalBody, startHarness } from './ledger-harness';
import { bearer, freshPhone } from './sign-up';

describe('card owners log in, staff have roles, every event says who did it', () => {
  let h: Harness;
  beforeAll(async () => (h = await startHarness()));
  afterAll(() => h.close());

  /** Refused with this status and code, as problem+json, and nothing appended anywhere. */
  const refused = async (reply: Promise<{ status: number; contentType: string; body: any }>, status: number, code: string) => {
    const before = await logSize(h);
    const res = await reply;
    expect({ status: res.status, code: res.body?.code }).toEqual({ status, code });
    expect(res.contentType).toContain('application/problem+json');
    expect(await logSize(h)).toBe(before);
  };

  it('a new owner registers, reads the code from the sandbox SMS, verifies, logs in, opens a card, renews it and sees it', async () => {
    const phoneNumber = freshPhone();
    const registered = await h.raw('POST', '/v1/auth/register', { phoneNumber });
    expect(registered.status).toBe(202);
    const sms = await h.raw('GET', `/v1/sandbox/sms?phoneNumber=${encodeURIComponent(phoneNumber)}`);
    const code = /(\d{6})/.exec(sms.body.messages[0].text)![1];
    // Until the code is used there is no password at all, so registering someone else's number gains nothing.
    await refused(h.raw('POST', '/v1/auth/login', { phoneNumber, password: 'a long passphrase' }), 401, 'INVALID_CREDENTIALS');
    await refused(h.raw('POST', '/v1/auth/register', { phoneNumber }), 429, 'CODE_RECENTLY_SENT');
    await refused(
      h.raw('POST', '/v1/auth/verify', { phoneNumber, code: code === '000000' ? '000001' : '000000', password: 'a long passphrase' }),
      400,
      'CODE_INVALID',
    );
    expect((await h.raw('POST', '/v1/auth/verify', { phoneNumber, code, password: 'a long passphrase' })).status).toBe(200);
    const login = await h.raw('POST', '/v1/auth/login', { phoneNumber, password: 'a long passphrase' });
    expect(login.status).toBe(200);
    const auth = bearer(login.body.accessToken);
    const card = await h.raw('POST', '/v1/subscriptions', { iccid: freshIccid(), region: 'EU' }, auth);
    expect(card.status).toBe(201);
    const id = card.body.subscriptionId;
    const renewal = await h.raw('POST', `/v1/subscriptions/${id}/renewals`, renewalBody(), { ...auth, 'Idempotency-Key': 'first' });
    expect(renewal.body.status).toBe('completed');
    const view = await h.raw('GET', `/v1/subscriptions/${id}?minPosition=${renewal.body.position}`, undefined, auth);
    expect(view.body).toMatchObject({ status: 'active', dataRemainingMb: 10240, accountId: login.body.accountId });
    const me = await h.raw('GET', '/v1/accounts/me', undefined, auth);
    expect(me.body).toMatchObject({
      accountId: login.body.accountId,
      phoneNumber,
      cards: [expect.objectContaining({ subscriptionId: id })],
    });
    const events = (await h.raw('GET', `/v1/subscriptions/${id}/events`, undefined, auth)).body.events;
    expect(new Set(events.map((e: { metadata: { actor: string } }) => e.metadata.actor))).toEqual(
      new Set([`account:${login.body.accountId}`]),
    );
    expect(JSON.stringify(events)).not.toContain(phoneNumber.slice(1));
  });

  it('answers 401 problem+json without a token, and with a forged one', async () => {
    const { subscriptionId } = await newCard(h);
    await refused(h.raw('GET', `/v1/subscriptions/${subscriptionId}`), 401, 'UNAUTHENTICATED');
    await refused(
      h.raw('GET', `/v1/subscriptions/${subscriptionId}`, undefined, bearer('eyJhbGciOiJIUzI1NiJ9.e30.x')),
      401,
      'TOKEN_INVALID',
    );
    const res = await h.raw('GET', `/v1/subscriptions/${subscriptionId}`);
    expect(res.status).toBe(401);
  });

  it("refuses a second owner every way into the first one's cards, and appends nothing", async () => {
    const first = await newCard(h);
    const intruder = await h.signUp();
    const as = bearer(intruder.accessToken);
    const card = `/v1/subscriptions/${first.subscriptionId}`;
    await refused(h.raw('GET', card, undefined, as), 404, 'SUBSCRIPTION_NOT_FOUND');
    await refused(h.raw('GET', `${card}/events`, undefined, as), 404, 'SUBSCRIPTION_NOT_FOUND');
    await refused(h.raw('POST', `${card}/renewals`, renewalBody(), { ...as, 'Idempotency-Key': 'steal' }), 404, 'SUBSCRIPTION_NOT_FOUND');
    await refused(h.raw('POST', `${card}/usage`, { usageId: 'drain', mb: 1 }, as), 403, 'FORBIDDEN');
    await refused(
      h.raw('POST', '/v1/subscriptions', { accountId: first.accountId, iccid: freshIccid(), region: 'EU' }, as),
      404,
      'ACCOUNT_NOT_FOUND',
    );
    await refused(h.raw('DELETE', `/v1/accounts/${first.accountId}`, undefined, as), 404, 'ACCOUNT_NOT_FOUND');
  });

  it('lets support read any card but not renew it; the auditor reads events and writes nothing', async () => {
    const { subscriptionId } = await newCard(h);
    const support = bearer(await h.staffToken('support'));
    const auditor = bearer(await h.staffToken('auditor'));
    const card = `/v1/subscriptions/${subscriptionId}`;
    expect((await h.raw('GET', `${card}/events`, undefined, support)).status).toBe(200);
    expect((await h.raw('GET', `${card}/events`, undefined, auditor)).status).toBe(200);
    for (const who of [support, auditor]) {
      await refused(h.raw('POST', `${card}/renewals`, renewalBody(), { ...who, 'Idempotency-Key': 'staff' }), 403, 'FORBIDDEN');
      await refused(h.raw('POST', `${card}/usage`, { usageId: 'staff', mb: 1 }, who), 403, 'FORBIDDEN');
      await refused(h.raw('POST', '/v1/subscriptions', { iccid: freshIccid(), region: 'EU' }, who), 403, 'FORBIDDEN');
    }
  });

  it('lets the usage feed record usage and nothing else, as client:<id>', async () => {
    const { subscriptionId } = await newCard(h);
    const renewed = await h.request('POST', `/v1/subscriptions/${subscriptionId}/renewals`, renewalBody(), {
      'Idempotency-Key': 'for-usage',
    });
    expect(renewed.body.status).toBe('completed');
    const feed = bearer(await h.usageToken());
    const card = `/v1/subscriptions/${subscriptionId}`;
    expect((await h.raw('POST', `${card}/usage`, { usageId: 'cdr-1', mb: 10 }, feed)).status).toBe(201);
    await refused(h.raw('GET', card, undefined, feed), 403, 'FORBIDDEN');
    await refused(h.raw('POST', `${card}/renewals`, renewalBody(), { ...feed, 'Idempotency-Key': 'feed' }), 403, 'FORBIDDEN');
    const events = (await h.request('GET', `${card}/events`)).body.events;
    const usage = events.find((e: { type: string }) => e.type === 'DataUsageRecorded');
    expect(usage.metadata.actor).toMatch(/^client:[0-9a-f-]{36}$/);
  });

  it('keeps one account per phone number and one card per ICCID', async () => {
    const owner = await h.signUp();
    // The same answer as for a new number (no enumeration); the owner is told by text, nobody gets a code.
    const again = await h.raw('POST', '/v1/auth/register', { phoneNumber: owner.phoneNumber });
    expect(again.status).toBe(202);
    const sms = await h.raw('GET', `/v1/sandbox/sms?phoneNumber=${encodeURIComponent(owner.phoneNumber)}`);
    expect(sms.body.messages[0].text).toContain('already have an account');
    expect(sms.body.messages[0].text).not.toMatch(/\d{6}/);
    expect(
      await h.ledger.storage.dataSource.query(
        'SELECT count(*)::int AS n FROM identity_account WHERE account_id <> $1 AND verified_at IS NOT NULL AND phone_lookup IS NOT NULL AND phone_lookup = (SELECT phone_lookup FROM identity_account WHERE account_id = $1)',
        [owner.accountId],
      ),
    ).toEqual([{ n: 0 }]);
    const iccid = freshIccid();
    expect((await h.request('POST', '/v1/subscriptions', { iccid, region: 'EU' })).status).toBe(201);
    const other = await h.signUp();
    await refused(h.raw('POST', '/v1/subscriptions', { iccid, region: 'EU' }, bearer(other.accessToken)), 409, 'ICCID_IN_USE');
  });

  it('rotates refresh tokens and, when a spent one comes back, revokes the whole login', async () => {
    const owner = await h.signUp();
    const next = await h.raw('POST', '/v1/auth/refresh', { refreshToken: owner.refreshToken });
    expect(next.body).toMatchObject({ tokenType: 'Bearer' });
    expect(next.body.refreshToken).not.toBe(owner.refreshToken);
    await refused(h.raw('POST', '/v1/auth/refresh', { refreshToken: owner.refreshToken }), 401, 'REFRESH_TOKEN_REUSED');
    await refused(h.raw('POST', '/v1/auth/refresh', { refreshToken: next.body.refreshToken }), 401, 'REFRESH_TOKEN_INVALID');
  });

  it('ends a login at logout', async () => {
    const owner = await h.signUp();
    expect((await h.raw('POST', '/v1/auth/logout', { refreshToken: owner.refreshToken })).status).toBe(204);
    await refused(h.raw('POST', '/v1/auth/refresh', { refreshToken: owner.refreshToken }), 401, 'REFRESH_TOKEN_INVALID');
  });

  it('locks an account after 5 wrong passwords, even against the right one, with Retry-After', async () => {
    const owner = await h.signUp();
    for (let i = 0; i < 5; i++)
      await refused(
        h.raw('POST', '/v1/auth/login', { phoneNumber: owner.phoneNumber, password: `wrong guess ${i}` }),
        401,
        'INVALID_CREDENTIALS',
      );
    const locked = await h.raw('POST', '/v1/auth/login', { phoneNumber: owner.phoneNumber, password: 'correct horse battery' });
    expect(locked.status).toBe(429);
    expect(locked.body.code).toBe('ACCOUNT_LOCKED');
  });

  it('resets a password with a texted code; the old password and sessions stop working', async () => {
    const owner = await h.signUp();
    expect((await h.raw('POST', '/v1/auth/password-reset', { phoneNumber: owner.phoneNumber })).status).toBe(202);
    const sms = await h.raw('GET', `/v1/sandbox/sms?phoneNumber=${encodeURIComponent(owner.phoneNumber)}`);
    const code = /(\d{6})/.exec(sms.body.messages[0].text)![1];
    await refused(
      h.raw('POST', '/v1/auth/password-reset/confirm', {
        phoneNumber: owner.phoneNumber,
        code: code === '000000' ? '111111' : '000000',
        password: 'new passphrase',
      }),
      400,
      'CODE_INVALID',
    );
    expect(
      (await h.raw('POST', '/v1/auth/password-reset/confirm', { phoneNumber: owner.phoneNumber, code, password: 'new passphrase' })).status,
    ).toBe(200);
    await refused(
      h.raw('POST', '/v1/auth/login', { phoneNumber: owner.phoneNumber, password: 'correct horse battery' }),
      401,
      'INVALID_CREDENTIALS',
    );
    expect((await h.raw('POST', '/v1/auth/login', { phoneNumber: owner.phoneNumber, password: 'new passphrase' })).status).toBe(200);
    await refused(h.raw('POST', '/v1/auth/refresh', { refreshToken: owner.refreshToken }), 401, 'REFRESH_TOKEN_INVALID');
  });

  it('erases an account: its phone number is unreadable, its events still verify', async () => {
    const { accountId, subscriptionId, owner } = await newCard(h);
    await h.request('POST', `/v1/subscriptions/${subscriptionId}/renewals`, renewalBody(), { 'Idempotency-Key': 'before-erase' });
    const identity = h.ledger.app.get<Identity>(IDENTITY);
    expect(await identity.accounts.phoneOf(accountId)).toBe(owner.phoneNumber);
    expect((await h.raw('DELETE', `/v1/accounts/${accountId}`, undefined, bearer(owner.accessToken))).status).toBe(204);
    expect(await identity.accounts.phoneOf(accountId)).toBeNull();
    const [row] = await h.ledger.storage.dataSource.query(
      'SELECT phone_sealed, phone_lookup, password_hash FROM identity_account WHERE account_id = $1',
      [accountId],
    );
    expect(row).toEqual({ phone_sealed: null, phone_lookup: null, password_hash: null });
    expect(await h.ledger.storage.dataSource.query('SELECT 1 FROM identity_account_key WHERE account_id = $1', [accountId])).toEqual([]);
    await refused(
      h.raw('POST', '/v1/auth/login', { phoneNumber: owner.phoneNumber, password: 'correct horse battery' }),
      401,
      'INVALID_CREDENTIALS',
    );
    await refused(h.raw('POST', '/v1/auth/refresh', { refreshToken: owner.refreshToken }), 401, 'REFRESH_TOKEN_INVALID');
    expect((await verifyAll(h.ledger.storage.store)).broken).toEqual([]);
    // Its access token stops working at once, not when it expires.
    await refused(h.raw('GET', `/v1/subscriptions/${subscriptionId}`, undefined, bearer(owner.accessToken)), 401, 'TOKEN_INVALID');
  });

  it('lets a client with an expired or forged token still log in and refresh', async () => {
    const owner = await h.signUp();
    const stale = bearer('eyJhbGciOiJIUzI1NiJ9.e30.x');
    expect((await h.raw('POST', '/v1/auth/refresh', { refreshToken: owner.refreshToken }, stale)).status).toBe(200);
    expect(
      (await h.raw('POST', '/v1/auth/login', { phoneNumber: owner.phoneNumber, password: 'correct horse battery' }, stale)).status,
    ).toBe(200);
  });
});
