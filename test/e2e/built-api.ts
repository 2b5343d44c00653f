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
export const startBuiltApi = async (dataDir: string, port: number, env: Record<string, string> = {}): Promise<ChildProcess> => {
  const child = spawn(process.execPath, ['dist/apps/api/src/main.js'], {
    cwd: root,
    // PSP_PORT 0: the sandbox provider `npm start` runs takes a free port, so suites running side by side never collide.
    env: { PATH: process.env.PATH, LEDGER_DATA_DIR: dataDir, PORT: String(port), PSP_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  for (const deadline = Date.now() + 30_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 100))) {
    if (child.exitCode !== null) throw new Error(`the API exited early:\n${output}`);
    if (
      await fetch(`http://127.0.0.1:${port}/health`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return child;
  }
  child.kill('SIGKILL');
  throw new Error(`the API did not answer /health within 30 s:\n${output}`);
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
