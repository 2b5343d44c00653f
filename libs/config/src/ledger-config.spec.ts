import { ConfigError, loadConfig } from './ledger-config';

const refusal = (env: Record<string, string>): string => {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).variable;
  }
  throw new Error('configuration was accepted');
};

describe('ledger configuration', () => {
  it('defaults to the embedded store on port 3000 under ./data', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 3000, eventStore: { kind: 'embedded' }, databaseUrl: null, kafkaBrokers: null, holidays: [] });
    expect(c.dataDir.endsWith('/data')).toBe(true);
  });

  it('keeps 5,000 cards in memory and snapshots every 32 events unless told otherwise', () => {
    expect(loadConfig({})).toMatchObject({ stateCacheStreams: 5000, snapshotEvery: 32 });
    expect(loadConfig({ LEDGER_STATE_CACHE_STREAMS: '0', LEDGER_SNAPSHOT_EVERY: '100' })).toMatchObject({
      stateCacheStreams: 0,
      snapshotEvery: 100,
    });
    expect(refusal({ LEDGER_SNAPSHOT_EVERY: '0' })).toBe('LEDGER_SNAPSHOT_EVERY');
    expect(refusal({ LEDGER_STATE_CACHE_STREAMS: '-1' })).toBe('LEDGER_STATE_CACHE_STREAMS');
  });

  it('puts everything on PostgreSQL when only DATABASE_URL is set', () => {
    const c = loadConfig({ DATABASE_URL: 'postgres://u@h/db' });
    expect(c.eventStore).toEqual({ kind: 'postgres', url: 'postgres://u@h/db' });
    expect(c.databaseUrl).toBe('postgres://u@h/db');
  });

  it('selects EventStoreDB from an esdb:// or kurrentdb:// URL and then needs DATABASE_URL', () => {
    expect(loadConfig({ EVENT_STORE_URL: 'kurrentdb://h:2113?tls=false', DATABASE_URL: 'postgres://h/db' }).eventStore.kind).toBe('esdb');
    expect(refusal({ EVENT_STORE_URL: 'esdb://h:2113' })).toBe('DATABASE_URL');
  });

  it('pays through the sandbox by default, and wants its own key and secret for a real provider', () => {
    expect(loadConfig({}).payments).toMatchObject({
      pspUrl: null,
      answerBudgetMs: 3000,
      confirmAfterMs: 60_000,
      abandonAfterMs: 1_800_000,
    });
    expect(refusal({ PSP_URL: 'https://psp.example' })).toBe('PSP_API_KEY');
    expect(refusal({ PSP_URL: 'https://psp.example', PSP_API_KEY: 'sk_live' })).toBe('PSP_WEBHOOK_SECRET');
    expect(refusal({ PSP_URL: 'ftp://psp' })).toBe('PSP_URL');
    expect(refusal({ PAYMENT_CONFIRM_MS: '5000', PAYMENT_ABANDON_MS: '4000' })).toBe('PAYMENT_ABANDON_MS');
  });

  it('names the variable that is wrong', () => {
    expect(refusal({ PORT: 'eighty' })).toBe('PORT');
    expect(refusal({ EVENT_STORE_URL: 'mysql://h/db' })).toBe('EVENT_STORE_URL');
    expect(refusal({ DATABASE_URL: 'mysql://h/db' })).toBe('DATABASE_URL');
    expect(refusal({ QUERY_WAIT_MS: '-1' })).toBe('QUERY_WAIT_MS');
    expect(refusal({ LEDGER_HOLIDAYS: 'not json' })).toBe('LEDGER_HOLIDAYS');
    expect(refusal({ LEDGER_HOLIDAYS: '[{"promotionId":"x","from":"2026-12-02","to":"2026-12-01","percentOffBp":100}]' })).toBe(
      'LEDGER_HOLIDAYS[0]',
    );
  });

  it('parses holiday specials into UTC instants', () => {
    const c = loadConfig({
      LEDGER_HOLIDAYS: '[{"promotionId":"xmas","from":"2026-12-24T00:00:00+01:00","to":"2026-12-27T00:00:00Z","percentOffBp":1500}]',
    });
    expect(c.holidays).toEqual([
      { promotionId: 'xmas', from: '2026-12-23T23:00:00.000Z', to: '2026-12-27T00:00:00.000Z', percentOffBp: 1500 },
    ]);
  });
});
