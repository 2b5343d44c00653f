import { embeddedInMemory } from './ledger-harness';
import { paymentCases } from './payments.cases';

describe('payments end to end on the embedded default (PGlite) with the sandbox provider', () => paymentCases(embeddedInMemory));
