import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataDirectoryInUseError, lockDataDirectory } from './data-dir-lock';

/** A second OS process that takes the lock and says so on stdout. */
const holdInChild = (dir: string): Promise<ChildProcess> =>
  new Promise((resolve, reject) => {
    const child = spawn(
      process.execPath,
      [
        '-r',
        '@swc-node/register',
        '-e',
        `require(${JSON.stringify(__filename.replace(/\.spec\.ts$/, '.ts'))}).lockDataDirectory(${JSON.stringify(dir)}).then(() => { console.log('locked'); setInterval(() => {}, 1000); })`,
      ],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    child.stdout!.on('data', (d: Buffer) => (d.toString().includes('locked') ? resolve(child) : undefined));
    child.on('exit', (code) => reject(new Error(`holder exited with ${code}`)));
  });

describe('one process per embedded data directory', () => {
  const dir = () => mkdtempSync(join(tmpdir(), 'ledger-lock-'));

  it('refuses a second holder in the same process', async () => {
    const d = dir();
    const first = await lockDataDirectory(d);
    await expect(lockDataDirectory(d)).rejects.toThrow(DataDirectoryInUseError);
    await first.release();
    const again = await lockDataDirectory(d);
    await again.release();
  });

  it('names the pid of another process that holds it, and is free the moment that process is killed', async () => {
    const d = dir();
    const child = await holdInChild(d);
    const refusal = await lockDataDirectory(d).then(
      () => null,
      (e: unknown) => e,
    );
    expect(refusal).toBeInstanceOf(DataDirectoryInUseError);
    expect((refusal as DataDirectoryInUseError).holder?.pid).toBe(child.pid);
    expect((refusal as Error).message).toContain(`process ${child.pid}`);
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGKILL');
    await exited;
    const lock = await lockDataDirectory(d);
    await lock.release();
  });

  it('treats two spellings of one directory as the same directory', async () => {
    const d = dir();
    const first = await lockDataDirectory(d);
    await expect(lockDataDirectory(`${d}/./`)).rejects.toThrow(DataDirectoryInUseError);
    await first.release();
  });
});
