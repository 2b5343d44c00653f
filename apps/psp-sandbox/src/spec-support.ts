import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ProviderEvent, PspClient, verifyWebhook } from '@ledger/payments';
import { PspSandbox, PspSandboxOptions, startPspSandbox } from './psp-sandbox';

/** Helpers for the sandbox's own specs: real sockets, a temp journal, a verifying webhook receiver. */
export const API_KEY = 'sk_test_key';
export const WEBHOOK_SECRET = 'whsec_test_secret';

export const tempDir = (): { dir: string; remove: () => void } => {
  const dir = mkdtempSync(join(tmpdir(), 'psp-sandbox-'));
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
};

export const start = (options: Partial<PspSandboxOptions> = {}): Promise<PspSandbox> =>
  startPspSandbox({ port: 0, dataDir: null, apiKey: API_KEY, webhookSecret: WEBHOOK_SECRET, seed: 7, ...options });

export const clientFor = (sandbox: PspSandbox, timeoutMs = 5_000, apiKey = API_KEY): PspClient =>
  new PspClient({ baseUrl: sandbox.url, apiKey, timeoutMs });

/** A sandbox control call (behind the key) or an owner-page form post (no key). */
export const call = async (
  url: string,
  method: string,
  body?: unknown,
  form = false,
): Promise<{ status: number; text: string; json: any }> => {
  const headers: Record<string, string> = form
    ? { 'content-type': 'application/x-www-form-urlencoded' }
    : { authorization: `Bearer ${API_KEY}` };
  if (!form && body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, { method, headers, body: form ? '' : body === undefined ? undefined : JSON.stringify(body) });
  const text = await response.text();
  let json: any;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, text, json };
};

export const waitFor = async (check: () => boolean, what: string, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

export interface Receiver {
  readonly url: string;
  /** Every verified delivery, duplicates included, in arrival order. */
  readonly events: ProviderEvent[];
  /** Requests answered 500 (on purpose) or 400 (signature refused). */
  readonly refused: number[];
  close(): Promise<void>;
}

/** Answers 500 to the first `failFirst` requests, then verifies each delivery's signature before a 204. */
export const startReceiver = async (failFirst = 0): Promise<Receiver> => {
  const events: ProviderEvent[] = [];
  const refused: number[] = [];
  let seen = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      seen++;
      if (seen <= failFirst) {
        refused.push(500);
        res.writeHead(500).end();
        return;
      }
      try {
        const header = req.headers['psp-signature'];
        events.push(
          verifyWebhook(Buffer.concat(chunks), Array.isArray(header) ? header[0] : header, WEBHOOK_SECRET, Math.floor(Date.now() / 1000)),
        );
        res.writeHead(204).end();
      } catch {
        refused.push(400);
        res.writeHead(400).end();
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hooks`,
    events,
    refused,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
};

export const cleanup = async (...items: Array<{ close(): Promise<void> } | { remove(): void } | undefined>): Promise<void> => {
  for (const item of items) {
    if (item && 'close' in item) await item.close();
    else if (item) item.remove();
  }
};
