import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';

export const root = join(__dirname, '..', '..');

export const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => resolve(port));
    });
  });

/** The built API as `npm start` runs it: a real process, a real socket, PGlite files in `dataDir`. */
export const startBuiltApi = (dataDir: string, port: number, env: Record<string, string> = {}): Promise<BuiltProcess> =>
  // PSP_PORT and METRICS_PORT 0: the sandbox provider and the operators' port take free ports, so suites running side by side never collide.
  startBuilt(
    'dist/apps/api/src/main.js',
    { LEDGER_DATA_DIR: dataDir, PORT: String(port), PSP_PORT: '0', METRICS_PORT: '0', ...env },
    `http://127.0.0.1:${port}/health`,
  );

/** A process started by startBuilt: what it wrote to stdout so far, from its first byte. */
export type BuiltProcess = ChildProcess & { stdoutText(): string };

/** A built app as its npm script runs it, answered once `readyUrl` answers 2xx (within 30 s). */
export const startBuilt = async (file: string, env: Record<string, string>, readyUrl: string): Promise<BuiltProcess> => {
  const spawned = spawn(process.execPath, [file], {
    cwd: root,
    env: { PATH: process.env.PATH, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stdout = '';
  const child = Object.assign(spawned, { stdoutText: () => stdout });
  child.stdout!.on('data', (d) => ((output += d), (stdout += d)));
  child.stderr!.on('data', (d) => (output += d));
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    if (child.exitCode !== null) throw new Error(`${file} exited early:\n${output}`);
    if (
      await fetch(readyUrl).then(
        (r) => r.ok,
        () => false,
      )
    )
      return child;
  }
  child.kill('SIGKILL');
  throw new Error(`${file} did not answer ${readyUrl} within 30 s:\n${output}`);
};

export const stopProcess = (child: ChildProcess, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill(signal);
  });

/** `npm run audit -- …` on an embedded data directory, as an auditor runs it: exit code, stdout and stderr. */
export const auditCli = (dataDir: string, ...args: string[]): { code: number | null; out: string } => {
  const run = spawnSync(process.execPath, ['dist/apps/audit/src/main.js', ...args], {
    cwd: root,
    env: { PATH: process.env.PATH, LEDGER_DATA_DIR: dataDir },
    encoding: 'utf8',
  });
  return { code: run.status, out: run.stdout + run.stderr };
};
