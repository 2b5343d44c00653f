import { embeddedInMemory } from './ledger-harness';
import { renewalCases } from './renewal.cases';
import { concurrencyCases } from './concurrency.cases';

describe('renewing a data card on the embedded default (PGlite)', () => renewalCases(embeddedInMemory));
describe('concurrent renewals of one card on the embedded default (PGlite)', () => concurrencyCases(embeddedInMemory));
