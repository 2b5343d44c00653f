import { openLedgerStorage } from './database/ledger-storage';
import { readModelCases } from './read-models.cases';
import { poisonCases } from './checkpoint/poison.cases';

const open = () => openLedgerStorage({ kind: 'embedded', dataDir: null });

describe('read models on PGlite', () => readModelCases(open));
describe('poison events on PGlite', () => poisonCases(open));
