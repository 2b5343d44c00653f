import { embeddedInMemory } from './ledger-harness';
import { renewalCases } from './renewal.cases';
import { concurrencyCases } from './concurrency.cases';
import { badInputCases } from './bad-input.cases';
import { usageBatchCases } from './usage-batch.cases';

describe('renewing a data card on the embedded default (PGlite)', () => renewalCases(embeddedInMemory));
describe('concurrent renewals of one card on the embedded default (PGlite)', () => concurrencyCases(embeddedInMemory));
describe('refusals on the embedded default (PGlite)', () => badInputCases(embeddedInMemory));
describe('bulk usage on the embedded default (PGlite)', () => usageBatchCases(embeddedInMemory));
