import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import { lockDataDirectory } from './data-dir-lock';

export interface EmbeddedDatabase {
  readonly db: PGlite;
  close(): Promise<void>;
}

/**
 * The one way a process opens the embedded PostgreSQL: PGlite has no lock of its own, and a second
 * process writing beside the first hands out the same positions and loses commits. `null` is an
 * in-memory database (tests), which nothing else can share and so needs no lock.
 */
export const openEmbeddedDatabase = async (dataDir: string | null): Promise<EmbeddedDatabase> => {
  if (dataDir === null) {
    const db = await PGlite.create();
    return { db, close: () => db.close() };
  }
  const lock = await lockDataDirectory(dataDir);
  try {
    const db = await PGlite.create(join(lock.dir, 'pglite'));
    return { db, close: async () => (await db.close(), await lock.release()) };
  } catch (err) {
    await lock.release();
    throw err;
  }
};
