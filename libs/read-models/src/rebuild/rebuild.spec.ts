import { openLedgerStorage } from '../database/ledger-storage';
import { rebuildCases } from './rebuild.cases';

describe('rebuild and replay attestation on PGlite', () => rebuildCases(() => openLedgerStorage({ kind: 'embedded', dataDir: null })));
