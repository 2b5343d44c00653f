import { Client } from 'pg';
import { createTestDatabase, describeWithService, provisionPostgres } from '@ledger/testing';
import { openLedgerStorage } from './database/ledger-storage';
import { READ_MODEL_MIGRATIONS } from './database/data-source';
import { readModelCases } from './read-models.cases';
import { poisonCases } from './checkpoint/poison.cases';
import { rebuildCases } from './rebuild/rebuild.cases';

/** TypeORM entities and migrations on a real PostgreSQL server; one fresh database per test. */
describeWithService('read models on PostgreSQL', provisionPostgres, (serverUrl) => {
  const drops: (() => Promise<void>)[] = [];
  afterAll(async () => {
    for (const drop of drops) await drop();
  });

  const fresh = async () => {
    const db = await createTestDatabase(serverUrl());
    drops.push(() => db.stop());
    return openLedgerStorage({ kind: 'postgres', eventStoreUrl: db.url, readModelUrl: db.url });
  };
  readModelCases(fresh);
  describe('poison events', () => poisonCases(fresh));
  describe('rebuild and replay attestation', () => rebuildCases(fresh));

  it('runs the migrations and records them', async () => {
    const db = await createTestDatabase(serverUrl());
    drops.push(() => db.stop());
    const storage = await openLedgerStorage({ kind: 'postgres', eventStoreUrl: db.url, readModelUrl: db.url });
    await storage.close();
    const client = new Client({ connectionString: db.url });
    await client.connect();
    const tables = (await client.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")).rows.map(
      (r) => r.tablename,
    );
    const migrations = (await client.query('SELECT name FROM read_model_migrations')).rows.map((r) => r.name);
    await client.end();
    expect(tables).toEqual(
      expect.arrayContaining([
        'account_contact',
        'card_balance',
        'es_events',
        'es_streams',
        'projection_checkpoint',
        'projection_quarantine',
        'projection_status',
        'identity_account',
        'card_iccid',
        'renewal',
        'payment',
        'money_movement',
        'audit_event',
      ]),
    );
    // Every registered migration ran, in order, and was recorded.
    expect(migrations).toEqual(READ_MODEL_MIGRATIONS.map((m) => m.name));
  });
});
