import { embeddedInMemory } from './ledger-harness';
import { renewalCases } from './renewal.cases';
import { concurrencyCases } from './concurrency.cases';
import { badInputCases } from './bad-input.cases';

describe('renewing a data card on the embedded default (PGlite)', () => renewalCases(embeddedInMemory));
describe('concurrent renewals of one card on the embedded default (PGlite)', () => concurrencyCases(embeddedInMemory));
describe('refusals on the embedded default (PGlite)', () => badInputCases(embeddedInMemory));
