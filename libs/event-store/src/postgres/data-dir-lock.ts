import { createHash } from 'node:crypto';
import { mkdirSync, realpathSync, unlinkSync, writeFileSync } from 'node:fs';
import { Server, createConnection, createServer } from 'node:net';
import { join } from 'node:path';

/** Another live process holds the directory; `holder` is what it says about itself. */
export class DataDirectoryInUseError extends Error {
  constructor(
    readonly dir: string,
    readonly holder: { pid: number; command: string } | null,
  ) {
    const who = holder ? `process ${holder.pid} (${holder.command})` : 'another process';
    super(`the embedded data directory ${dir} is in use by ${who}; PGlite is single-process: stop it first, or run both on PostgreSQL`);
    this.name = 'DataDirectoryInUseError';
  }
}

export interface DataDirectoryLock {
  readonly dir: string;
  release(): Promise<void>;
}

/**
 * The lock is a listening Unix socket, twice. On Linux the first lives in the abstract namespace,
 * named after the directory's real path: binding is atomic, and the kernel frees the name the moment
 * the holder dies (kill -9 included). Abstract names are per network namespace, though, so a second
 * one, a socket file in the directory itself, is seen from every container that mounts the volume;
 * a dead holder's file refuses connections and is replaced. Elsewhere only the file exists.
 */
const abstractAddress = (dir: string): string | null =>
  process.platform === 'linux' ? `\0ledger-pglite-${createHash('sha256').update(dir).digest('hex').slice(0, 40)}` : null;

const fileAddress = (dir: string): string => join(dir, '.ledger.lock.sock');

const listen = (server: Server, address: string): Promise<'ok' | 'in-use'> =>
  new Promise((resolve, reject) => {
    const onError = (err: NodeJS.ErrnoException): void => (err.code === 'EADDRINUSE' ? resolve('in-use') : reject(err));
    server.once('error', onError);
    server.listen(address, () => {
      server.off('error', onError);
      resolve('ok');
    });
  });

/** Asks the holder who it is; null when nobody answers (a stale socket file). */
const askHolder = (address: string): Promise<{ pid: number; command: string } | 'nobody' | null> =>
  new Promise((resolve) => {
    let text = '';
    const socket = createConnection(address);
    socket.setTimeout(1000, () => (socket.destroy(), resolve(null)));
    socket.on('data', (chunk) => (text += chunk.toString('utf8')));
    socket.on('end', () => {
      try {
        resolve(JSON.parse(text));
      } catch {
        resolve(null);
      }
    });
    socket.on('error', (err: NodeJS.ErrnoException) => resolve(err.code === 'ECONNREFUSED' || err.code === 'ENOENT' ? 'nobody' : null));
  });

const describeSelf = (): string => process.argv.slice(1).join(' ').slice(0, 200);

/** Binds `address` for this process, or throws naming whoever holds it; a stale socket file is replaced once. */
const bindExclusive = async (dir: string, address: string): Promise<Server> => {
  const server = createServer((socket) => socket.end(JSON.stringify({ pid: process.pid, command: describeSelf() })));
  for (let attempt = 0; ; attempt++) {
    if ((await listen(server, address)) === 'ok') break;
    const holder = await askHolder(address);
    if (holder === 'nobody' && !address.startsWith('\0') && attempt === 0) {
      unlinkSync(address);
      continue;
    }
    throw new DataDirectoryInUseError(dir, holder === 'nobody' ? null : holder);
  }
  // The lock must never keep a process alive on its own.
  server.unref();
  return server;
};

const close = (server: Server): Promise<void> => new Promise((resolve) => server.close(() => resolve()));

/** Takes the directory for this process, or refuses at once naming the process that has it. */
export const lockDataDirectory = async (dataDir: string): Promise<DataDirectoryLock> => {
  mkdirSync(dataDir, { recursive: true });
  const dir = realpathSync(dataDir);
  const abstract = abstractAddress(dir);
  const first = abstract ? await bindExclusive(dir, abstract) : null;
  let second: Server;
  try {
    second = await bindExclusive(dir, fileAddress(dir));
  } catch (err) {
    if (first) await close(first);
    throw err;
  }
  try {
    writeFileSync(join(dir, 'ledger.pid'), `${process.pid}\n`);
  } catch {
    // Only informative for humans looking at the directory; the sockets are the lock.
  }
  return { dir, release: async () => (await close(second), first ? await close(first) : undefined) };
};
