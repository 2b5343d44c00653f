import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { freePort, startBuiltApi, stopProcess } from './built-api';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Owner, fetchSender, signUp } from './sign-up';
import { reportMissingTool } from './missing-tool';

const bin = process.env.SCHEMATHESIS_BIN || 'schemathesis';
const available = spawnSync(bin, ['--version'], { encoding: 'utf8' }).status === 0;
const MIN_CASES = 2000;

const run = (args: string[]): Promise<{ code: number | null; out: string }> =>
  new Promise((resolve) => {
    const child = spawn(bin, args, { cwd: tmpdir(), env: { ...process.env, NO_COLOR: '1' } });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('exit', (code) => resolve({ code, out }));
  });

/**
 * The served OpenAPI document is the contract: schemathesis generates requests from it (examples,
 * boundary coverage, fuzzing, and stateful sequences along its links) against the built API as
 * `npm start` runs it, and fails on any 5xx, undocumented status, content type, header or body.
 */
describe('the OpenAPI document is the contract (schemathesis)', () => {
  if (!available)
    return reportMissingTool('schemathesis', `schemathesis not found (${bin}); run infra/schemathesis/install.sh and set SCHEMATHESIS_BIN`);
  const dataDir = mkdtempSync(join(tmpdir(), 'ledger-schemathesis-'));
  let api: ChildProcess;
  let port: number;
  let owner: Owner | undefined;
  beforeAll(async () => {
    port = await freePort();
    // Short read-your-writes waits: generated minPosition values would otherwise each wait 5 s.
    api = await startBuiltApi(dataDir, port, { QUERY_WAIT_MS: '200', AUTH_RATE_LIMIT_PER_MINUTE: '1000000' });
    // Generated requests carry a card owner's token, so the owner's routes are exercised past the 401.
    owner = await signUp(fetchSender(`http://127.0.0.1:${port}`));
  }, 40_000);
  afterAll(async () => {
    await stopProcess(api);
    rmSync(dataDir, { recursive: true, force: true });
  });

  it(`finds no server error and no contract violation in at least ${MIN_CASES} generated cases, stateful ones included`, async () => {
    const { code, out } = await run([
      'run',
      `http://127.0.0.1:${port}/docs-json`,
      '--checks',
      'not_a_server_error,status_code_conformance,content_type_conformance,response_headers_conformance,response_schema_conformance',
      '--phases',
      'examples,coverage,fuzzing,stateful',
      '--max-examples',
      '150',
      '--seed',
      '20261201',
      '--no-color',
      '--header',
      `Authorization: Bearer ${owner!.accessToken}`,
    ]);
    const generated = Number(/(\d+) generated/.exec(out)?.[1] ?? 0);
    if (code !== 0) process.stderr.write(out);
    expect({ exit: code, failures: /(\d+) (unique )?failures?/.exec(out)?.[0] ?? 'none' }).toEqual({ exit: 0, failures: 'none' });
    expect(out).toMatch(/✅ Stateful/);
    expect(generated).toBeGreaterThanOrEqual(MIN_CASES);
  }, 600_000);
});
