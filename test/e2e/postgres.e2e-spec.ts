import { describeWithService, provisionPostgresDatabase } from '@ledger/testing';
import { openLedgerStorage } from '@ledger/read-models';
import { renewalCases } from './renewal.cases';
import { concurrencyCases } from './concurrency.cases';
import { badInputCases } from './bad-input.cases';
import { usageBatchCases } from './usage-batch.cases';
import { remoteProjectorCases } from './remote-projector.cases';

/** The same suites with the event store and read models on a real PostgreSQL server. */
describeWithService('API end to end on PostgreSQL', provisionPostgresDatabase, (url) => {
  const storage = () => openLedgerStorage({ kind: 'postgres', eventStoreUrl: url(), readModelUrl: url() });
  describe('renewing a data card', () => renewalCases(storage));
  describe('concurrent renewals of one card', () => concurrencyCases(storage));
  describe('refusals', () => badInputCases(storage));
  describe('bulk usage', () => usageBatchCases(storage));
  describe('a projector in another process', () => remoteProjectorCases(url));
});
