import { openLedgerStorage } from './database/ledger-storage';
import { readModelCases } from './read-models.cases';

describe('read models on PGlite', () => readModelCases(() => openLedgerStorage({ kind: 'embedded', dataDir: null })));
