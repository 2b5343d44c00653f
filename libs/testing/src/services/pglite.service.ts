import { PGlite } from '@electric-sql/pglite';

/**
 * An embedded PostgreSQL for tests: in memory, or in `dataDir` to survive a close and reopen.
 * (PGlite starts its WebAssembly build with dynamic import(); `npm test` runs Jest with
 * --experimental-vm-modules so that works inside Jest's module sandbox.)
 */
export const openPGlite = (dataDir?: string): Promise<PGlite> => PGlite.create(dataDir);
