import * as nodeModule from 'node:module';
import type * as PGliteModule from '@electric-sql/pglite';
import type { PGlite } from '@electric-sql/pglite';

const vmModulesEnabled = (): boolean =>
  [...process.execArgv, ...(process.env.NODE_OPTIONS ?? '').split(/\s+/)].includes('--experimental-vm-modules');

/**
 * PGlite starts its WebAssembly build with dynamic import(), which jest's module sandbox refuses
 * unless node runs with --experimental-vm-modules. Without that flag it is loaded through node's own
 * loader instead, outside the sandbox; values it returns then come from the outer realm
 * (`instanceof Date` is false for its timestamps), which the adapters do not depend on.
 */
export const loadPGlite = (): typeof PGliteModule => {
  const localRequire = nodeModule.createRequire(__filename);
  if (vmModulesEnabled()) return localRequire('@electric-sql/pglite') as typeof PGliteModule;
  const { _load } = nodeModule as unknown as { _load(request: string, parent: null, isMain: boolean): unknown };
  return _load(localRequire.resolve('@electric-sql/pglite'), null, false) as typeof PGliteModule;
};

/** An embedded PostgreSQL for tests: in memory, or in `dataDir` to survive a close and reopen. */
export const openPGlite = async (dataDir?: string): Promise<PGlite> => {
  const { PGlite } = loadPGlite();
  return PGlite.create(dataDir);
};
