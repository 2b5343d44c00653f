import { ChildProcess, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Browser, BrowserContext, Page } from 'playwright-core';
import { freePort, root, startBuiltApi, stopProcess } from '../e2e/built-api';
import { fetchSender } from '../e2e/sign-up';
import { reportMissingTool } from '../e2e/missing-tool';
import { seriousViolations } from './axe';
import { CHROMIUM, chromiumAvailable, launchChromium } from './chromium';

/** CONSOLE_SCREENSHOTS=docs/console writes the main pages' screenshots there (how docs/console/ is made). */
const shots = process.env.CONSOLE_SCREENSHOTS;

/**
 * The console as a new card owner uses it: the built API as `npm start` runs it (PGlite files, the
 * sandbox provider in process), in Debian's chromium on a phone-sized screen.
 */
// One CI run (of many) stalled in this suite's first test without naming a step; until that is
// understood, a stalled test is run again (its errors logged) rather than failing the whole run.
jest.retryTimes(2, { logErrorsBeforeRetry: true });

describe('the web console in a real browser', () => {
  if (!chromiumAvailable)
    return reportMissingTool('chromium', `chromium not found at ${CHROMIUM} (infra/chromium/install.sh, or set CHROMIUM_PATH)`);

  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-console-'));
  let api: ChildProcess;
  let base: string;
  let browser: Browser;
  let usageToken: string;
  const staff = { username: 'sam-support', password: 'support password 1' };

  /** The staff CLI, as an admin runs it before starting the embedded ledger. */
  const staffCli = (...args: string[]) => {
    const out = spawnSync(process.execPath, ['dist/apps/staff/src/main.js', ...args], {
      cwd: root,
      env: { PATH: process.env.PATH, LEDGER_DATA_DIR: dataDir, STAFF_PASSWORD: staff.password },
      encoding: 'utf8',
    });
    if (out.status !== 0) throw new Error(`staff ${args.join(' ')}: ${out.stderr}`);
    return JSON.parse(out.stdout);
  };

  beforeAll(async () => {
    staffCli('create', staff.username, '--role', 'support');
    const client = staffCli('client', 'create', 'usage-feed', '--scope', 'usage:record');
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    api = await startBuiltApi(dataDir, port);
    const token = await fetchSender(base)('POST', '/v1/auth/token', {
      grant_type: 'client_credentials',
      client_id: client.clientId,
      client_secret: client.clientSecret,
    });
    usageToken = token.body.accessToken;
    browser = await launchChromium();
    if (shots) mkdirSync(join(root, shots), { recursive: true });
  }, 90_000);

  afterAll(async () => {
    await browser?.close();
    if (api) await stopProcess(api);
    rmSync(dataDir, { recursive: true, force: true });
  });

  const phoneContext = async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 1 });
    // Two cores shared with the other suites: an action may wait, a test must not hang unnoticed.
    context.setDefaultTimeout(45_000);
    return context;
  };
  /** Where a slow run spent its time, in the CI log. */
  const started = Date.now();
  const step = (name: string) => process.stderr.write(`[console-e2e] ${((Date.now() - started) / 1000).toFixed(1)} s: ${name}\n`);
  const snap = async (page: Page, name: string) => {
    if (shots) await page.screenshot({ path: join(root, shots, `${name}.png`), fullPage: true });
  };
  const accessible = async (page: Page) => expect(await seriousViolations(page)).toEqual([]);

  let phones = 0;
  const phone = () => `+4917${String(process.pid % 1000).padStart(3, '0')}${String(phones++).padStart(5, '0')}`;
  let iccids = 0;
  const iccid = () => `8949077${String(process.pid % 10_000).padStart(4, '0')}${String(iccids++).padStart(8, '0')}`;

  /** Register, read the sandbox text, verify, and land on "My cards" — all by the page's own controls. */
  const signUp = async (page: Page, number: string) => {
    await page.goto(`${base}/`);
    await page.getByRole('link', { name: 'Register' }).click();
    await page.getByLabel('Mobile number (with country code)').fill(number);
    await page.getByRole('button', { name: 'Send the code' }).click();
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
    await page.getByRole('button', { name: 'Show the text the sandbox sent' }).click();
    const text = await page.getByText(/\b\d{6}\b/).textContent();
    await page.getByLabel('Six-digit code').fill(/\b(\d{6})\b/.exec(text ?? '')![1]);
    await page.getByLabel('Password (at least 8 characters)').fill('correct horse battery');
    await page.getByRole('button', { name: 'Verify and log in' }).click();
    await page.getByRole('heading', { name: 'My cards' }).waitFor();
  };

  const addCard = async (page: Page, number: string) => {
    await page.getByLabel('ICCID (the 19–20 digits on the card)').fill(number);
    await page.getByRole('button', { name: 'Add the card' }).click();
    await page.getByRole('link', { name: `Card ${number}` }).waitFor();
  };

  /** Renew from the card's renew page, the plan and method chosen by their labels; PayPal approves in its window. */
  const renew = async (page: Page, context: BrowserContext, plan: RegExp, method: 'Card' | RegExp) => {
    await page.getByRole('radio', { name: plan }).check();
    await page.getByRole('radio', { name: method }).check();
    const popup = context.waitForEvent('page', { timeout: 15_000 }).catch(() => null);
    await page.getByRole('button', { name: 'Pay' }).click();
    if (method instanceof RegExp && method.test('PayPal')) {
      const paypal = await popup;
      if (!paypal) throw new Error('the PayPal approval window did not open within 15 s');
      step('PayPal window open');
      await paypal.getByRole('button', { name: 'Approve and pay' }).click({ timeout: 20_000 });
      step('approved at PayPal');
      // Left open: the context closes it (closing a page mid-navigation can wait on it).
    }
    await page.locator('#renewed').waitFor({ timeout: 30_000 });
  };

  let ownersPhone = '';
  let ownersCard = '';
  let ownersCardId = '';

  it('registers, verifies, logs in, and renews by card, PayPal and Apple Pay; the balance moves without a reload', async () => {
    const context = await phoneContext();
    const page = await context.newPage();
    ownersPhone = phone();
    step('sign up');
    await signUp(page, ownersPhone);
    await accessible(page);
    ownersCard = iccid();
    await addCard(page, ownersCard);
    await snap(page, 'my-cards');
    await page.getByRole('link', { name: `Card ${ownersCard}` }).click();
    await page.getByRole('heading', { name: `Card ${ownersCard}` }).waitFor();
    ownersCardId = /#\/cards\/([0-9a-f-]{36})/.exec(page.url())![1];
    await page.getByRole('link', { name: 'Renew' }).click();
    await page.getByRole('heading', { name: `Renew card ${ownersCard}` }).waitFor();
    // The price after promotions is shown before paying: the first order is discounted.
    await expect(
      page
        .getByRole('radio', { name: /Monthly: 10 GB/ })
        .locator('..')
        .textContent(),
    ).resolves.toMatch(/first-order/);
    expect(await page.getByText(/days start when the card's current validity ends/).isVisible()).toBe(true);
    await accessible(page);
    await snap(page, 'renew');

    // A marker on the window: a reload or a navigation would drop it.
    await page.evaluate(() => ((globalThis as any).sameDocument = true));
    step('renew by card');
    await renew(page, context, /Monthly: 10 GB/, 'Card');
    await expect(page.locator('#balance').textContent()).resolves.toMatch(/10 GB left/);
    step('renew by PayPal');
    await renew(page, context, /Daily: 1 GB/, /PayPal/);
    await expect(page.locator('#balance').textContent()).resolves.toMatch(/11 GB left/);
    step('renew by Apple Pay');
    await renew(page, context, /Daily: 1 GB/, /Apple Pay/);
    await expect(page.locator('#balance').textContent()).resolves.toMatch(/12 GB left/);
    expect(await page.evaluate(() => (globalThis as any).sameDocument)).toBe(true);
    await snap(page, 'renewed');

    step('a declined card');
    // A declined card says so in words, and charges nothing.
    await page.getByRole('radio', { name: /Daily: 1 GB/ }).check();
    await page.getByRole('radio', { name: 'Card' }).check();
    await page.getByLabel('Test card').selectOption('tok_decline_visa');
    await page.getByRole('button', { name: 'Pay' }).click();
    await expect(page.getByRole('alert').filter({ hasText: 'declined' }).textContent()).resolves.toMatch(/Your card was declined/);
    await context.close();
  }, 150_000);

  it('shows a card running low its forecast and a reminder', async () => {
    step('a card running low');
    // The network's usage feed draws most of the data, spread over the last hours.
    const send = fetchSender(base);
    const used = await send(
      'POST',
      `/v1/subscriptions/${ownersCardId}/usage`,
      { usageId: 'u-browser-1', mb: 11 * 1024 + 300 },
      { authorization: `Bearer ${usageToken}` },
    );
    expect(used.status).toBe(201);
    const context = await phoneContext();
    const page = await context.newPage();
    await page.goto(`${base}/`);
    await page.getByRole('link', { name: 'Log in' }).click();
    await page.getByLabel('Mobile number').fill(ownersPhone);
    await page.getByLabel('Password').fill('correct horse battery');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('link', { name: `Card ${ownersCard}` }).click();
    // The card watch writes the reminder moments after the usage: the page shows it once projected.
    for (let i = 0; i < 50 && !(await page.locator('#reminder').count()); i++) {
      await new Promise((r) => setTimeout(r, 200));
      await page.reload();
      await page.getByRole('heading', { name: `Card ${ownersCard}` }).waitFor();
    }
    await expect(page.locator('#forecast').textContent()).resolves.toMatch(/your data runs out in about \d+ day/);
    await expect(page.locator('#reminder').textContent()).resolves.toMatch(/running low/);
    await accessible(page);
    await snap(page, 'card-low');

    // Auto-renew: on with a cap, then off again.
    await page.getByLabel('At most this much a month (EUR)').fill('25');
    await page.getByRole('button', { name: 'Turn auto-renew on' }).click();
    await expect(page.locator('#auto-renew-status').textContent()).resolves.toMatch(/^On: eu-daily-1gb .* at most €25\.00 a month/);
    await page.getByRole('button', { name: 'Turn auto-renew off' }).click();
    await page.getByRole('button', { name: 'Turn auto-renew on' }).waitFor();
    await context.close();
  }, 120_000);

  it("keeps a second owner out of the first owner's card", async () => {
    const context = await phoneContext();
    const page = await context.newPage();
    await signUp(page, phone());
    await expect(page.getByRole('link', { name: `Card ${ownersCard}` }).count()).resolves.toBe(0);
    await page.goto(`${base}/console/#/cards/${ownersCardId}/renew`);
    await expect(page.getByRole('alert').first().textContent()).resolves.toMatch(/does not exist/);
    await context.close();
  }, 120_000);

  it('lets support find the card by ICCID and read its timeline', async () => {
    const context = await phoneContext();
    const page = await context.newPage();
    await page.goto(`${base}/console/#/staff`);
    await page.getByLabel('Username').fill(staff.username);
    await page.getByLabel('Password').fill(staff.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: 'Find a card' }).waitFor();
    await page.getByLabel('ICCID').fill(ownersCard);
    await page.getByRole('button', { name: 'Find' }).click();
    await page.getByRole('link', { name: `Card ${ownersCard}` }).click();
    await page.getByRole('heading', { name: 'Timeline' }).waitFor();
    await expect(page.getByText(/Paid: .* by paypal/).count()).resolves.toBe(1);
    await expect(
      page
        .getByText(/by account:/)
        .first()
        .isVisible(),
    ).resolves.toBe(true);
    await accessible(page);
    await snap(page, 'support-timeline');
    await context.close();
  }, 120_000);
});
