import { EsdbTestServer, describeWithService, provisionPostgres, createTestDatabase } from '@ledger/testing';
import { openLedgerStorage } from '@ledger/read-models';
import { renewalCases } from './renewal.cases';
import { concurrencyCases } from './concurrency.cases';
import { badInputCases } from './bad-input.cases';
import { usageBatchCases } from './usage-batch.cases';

/**
 * The same API suites with events in EventStoreDB: the production adapter and the real
 * @eventstore/db-client over gRPC to the wire-compatible test server, read models on PostgreSQL.
 */
describeWithService('API end to end on the EventStoreDB adapter (test server)', provisionPostgres, (serverUrl) => {
  let esdb: EsdbTestServer;
  const drops: (() => Promise<void>)[] = [];
  beforeAll(async () => {
    esdb = await EsdbTestServer.start();
  });
  afterAll(async () => {
    for (const drop of drops) await drop();
    await esdb.stop();
  });

  const storage = async () => {
    const db = await createTestDatabase(serverUrl());
    drops.push(() => db.stop());
    return openLedgerStorage({ kind: 'esdb', eventStoreUrl: esdb.url, readModelUrl: db.url });
  };
  describe('renewing a data card', () => renewalCases(storage));
  describe('concurrent renewals of one card', () => concurrencyCases(storage));
  describe('refusals', () => badInputCases(storage));
  describe('bulk usage', () => usageBatchCases(storage, false));
});
