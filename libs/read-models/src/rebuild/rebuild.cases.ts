import { DataSource } from 'typeorm';
import { CheckedEventStore, EventStore } from '@ledger/event-store';
import { CardBalanceEntity } from '../card-balance/card-balance.entity';
import { RenewalEntity } from '../renewal/renewal.entity';
import { ProjectionRunner } from '../checkpoint/projection-runner';
import { LedgerStorage } from '../database/ledger-storage';
import { digestProjection } from '../digest/projection-digest';
import { LEDGER_PROJECTION_NAMES, ledgerProjections } from '../ledger-projector';
import { lagByPaging, lagBySql, projectionStatuses } from '../status/projections-status';
import { randomCardHistory } from '../testing/random-card-history';
import { rebuildProjections } from './rebuild-projections';

const append = async (store: EventStore, events: number, seed: number, activeCards = 150): Promise<bigint> => {
  let last = 0n;
  for (const a of randomCardHistory({ events, activeCards, seed }))
    last = (await store.appendToStream(a.streamId, a.events, a.expectedRevision)).position;
  return last;
};

const until = async (done: () => boolean | Promise<boolean>, what: string, ms = 60_000): Promise<void> => {
  for (const deadline = Date.now() + ms; !(await done()); await new Promise((r) => setTimeout(r, 25))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
  }
};

const schema = async (ds: DataSource): Promise<string[]> =>
  (
    await ds.query(
      `SELECT tablename || ' ' || indexname AS i FROM pg_indexes WHERE schemaname = 'public' AND tablename IN ('card_balance', 'renewal', 'card_balance__rebuild', 'renewal__rebuild') ORDER BY 1`,
    )
  ).map((r: { i: string }) => r.i);

const projectLive = async (storage: LedgerStorage, head: bigint): Promise<void> => {
  const runner = new ProjectionRunner(storage.store, storage.dataSource, ledgerProjections(), { batchSize: 200 });
  await runner.catchUp(head);
};

/** Rebuild, switch and replay attestation; shared by the PGlite spec and the PostgreSQL int-spec. */
export const rebuildCases = (open: () => Promise<LedgerStorage>): void => {
  let storage: LedgerStorage;
  beforeEach(async () => {
    storage = await open();
  });
  afterEach(() => storage.close());

  it('rebuilds a long random history into exactly the rows the live projection built, and switches', async () => {
    const live = new ProjectionRunner(storage.store, storage.dataSource, ledgerProjections(), { batchSize: 40 });
    await live.start();
    const head = await append(storage.store, 3000, 7);
    await until(() => live.position() >= head, 'the live projection caught up');
    const before = await schema(storage.dataSource);
    const report = await rebuildProjections(storage, LEDGER_PROJECTION_NAMES, { batchSize: 700 });
    await live.stop();

    expect(report).toMatchObject({ switched: true, position: head.toString() });
    for (const c of report.comparisons) {
      expect(c.rebuilt).toEqual(c.live);
      expect(c.differences.count).toBe(0);
    }
    expect(report.comparisons.map((c) => c.rebuilt.rows)).toEqual([
      expect.any(Number),
      expect.any(Number),
      expect.any(Number),
      expect.any(Number),
      3000,
    ]);
    expect(Math.min(...report.comparisons.map((c) => c.rebuilt.rows))).toBeGreaterThan(150);
    expect(await schema(storage.dataSource)).toEqual(before);
    const after = await digestProjection(storage.dataSource, 'card_balance');
    expect(after).toMatchObject({ position: head.toString(), sha256: report.comparisons[0].live.sha256 });
    const cards = await storage.dataSource.getRepository(CardBalanceEntity).count();
    expect(cards).toBe(report.comparisons[0].rebuilt.rows);
    expect(await storage.dataSource.getRepository(RenewalEntity).count()).toBe(report.comparisons[1].rebuilt.rows);
  });

  it('refuses to switch when the rebuilt rows differ from the live ones, and names the rows', async () => {
    await projectLive(storage, await append(storage.store, 400, 11, 20));
    const [victim] = await storage.dataSource.query('SELECT subscription_id FROM card_balance ORDER BY subscription_id LIMIT 1');
    const [lost] = await storage.dataSource.query('SELECT renewal_id FROM renewal ORDER BY renewal_id LIMIT 1');
    await storage.dataSource.query('UPDATE card_balance SET used_mb = used_mb + 1 WHERE subscription_id = $1', [victim.subscription_id]);
    await storage.dataSource.query('DELETE FROM renewal WHERE renewal_id = $1', [lost.renewal_id]);

    const report = await rebuildProjections(storage, LEDGER_PROJECTION_NAMES, { batchSize: 100 });
    expect(report.switched).toBe(false);
    const [balances, renewals] = report.comparisons;
    expect(balances.live.sha256).not.toBe(balances.rebuilt.sha256);
    expect(balances.differences).toMatchObject({
      count: 1,
      samples: [{ table: 'card_balance', key: victim.subscription_id, columns: ['used_mb'] }],
    });
    expect(renewals.differences).toMatchObject({ count: 1, samples: [{ table: 'renewal', key: lost.renewal_id, live: null }] });
    const [still] = await storage.dataSource.query('SELECT used_mb FROM card_balance WHERE subscription_id = $1', [victim.subscription_id]);
    expect(still.used_mb).toBe(balances.differences.samples[0].live!.used_mb);
  });

  it('switches anyway with force, repairing the live rows and keeping their grants', async () => {
    await projectLive(storage, await append(storage.store, 300, 12, 20));
    await storage.dataSource.query('UPDATE card_balance SET granted_mb = -1');
    await storage.dataSource.query('GRANT SELECT ON card_balance TO PUBLIC');
    const report = await rebuildProjections(storage, ['card_balance'], { batchSize: 100, force: true });
    expect(report).toMatchObject({ switched: true, names: ['card_balance'] });
    expect(report.comparisons[0].differences.count).toBe(report.comparisons[0].rebuilt.rows);
    expect(await storage.dataSource.query('SELECT 1 FROM card_balance WHERE granted_mb < 0')).toEqual([]);
    expect(await schema(storage.dataSource)).not.toContain('card_balance__rebuild');
    const [grant] = await storage.dataSource.query("SELECT has_table_privilege('public', 'card_balance', 'SELECT') AS granted");
    expect(grant.granted).toBe(true);
  });

  it('sets a card with a malformed event aside, live and in a rebuild, naming it, while the other cards go on', async () => {
    await append(storage.store, 200, 15, 5);
    const [card] = await storage.store.readAll({ limit: 1 });
    const meta = { commandId: 'c', correlationId: 'c', causationId: 'c', actor: 'test', idempotencyKey: 'k' };
    // Usage without the buckets it was drawn from: the card_balance handler cannot apply it.
    const bad = { id: '00000000-0000-4000-8000-00000000bad1', type: 'DataUsageRecorded', data: { usageId: 'u', mb: 1 }, metadata: meta };
    // A manual write below the schema-checked append path: how a bad event could still reach the log.
    await (storage.store as CheckedEventStore).inner.appendToStream(card.streamId, [bad], 'any');
    const after = await append(storage.store, 20, 16, 5);
    await projectLive(storage, after);
    const views = await projectionStatuses(storage.dataSource, lagBySql(storage.dataSource));
    const balance = views.find((v) => v.name === 'card_balance')!;
    expect(balance).toMatchObject({ position: after.toString(), lag: { events: 0 } });
    expect(balance.quarantined.map((q) => [q.streamId, q.eventId])).toEqual([[card.streamId, bad.id]]);
    expect(views.find((v) => v.name === 'renewal')).toMatchObject({ state: 'stopped', lag: { events: 0 }, quarantined: [] });
    const report = await rebuildProjections(storage, ['card_balance'], { batchSize: 50 });
    expect(report.switched).toBe(true);
    const rebuilt = (await projectionStatuses(storage.dataSource, lagBySql(storage.dataSource))).find((v) => v.name === 'card_balance')!;
    expect(rebuilt.quarantined.map((q) => [q.streamId, q.eventId])).toEqual([[card.streamId, bad.id]]);
  });

  it('reports position, lag behind the log and state per projection', async () => {
    const runner = new ProjectionRunner(storage.store, storage.dataSource, ledgerProjections(), { batchSize: 100 });
    await runner.start();
    const head = await append(storage.store, 200, 13, 10);
    await until(() => runner.position() >= head, 'the projection caught up');
    await runner.stop();
    const behind = await append(storage.store, 50, 14, 5);
    const more = (await storage.store.readAll({ fromPosition: head, limit: 1000 })).length;
    for (const lag of [lagByPaging(storage.store), lagBySql(storage.dataSource)]) {
      const views = await projectionStatuses(storage.dataSource, lag);
      expect(views.map((v) => [v.name, v.state, v.position, v.lag.events])).toEqual([
        ['audit_event', 'stopped', head.toString(), more],
        ['card_balance', 'stopped', head.toString(), more],
        ['money_movement', 'stopped', head.toString(), more],
        ['payment', 'stopped', head.toString(), more],
        ['renewal', 'stopped', head.toString(), more],
      ]);
    }
    expect(behind).toBeGreaterThan(head);
  });

  it('keeps answering read-model queries while it rebuilds and switches under live traffic', async () => {
    const live = new ProjectionRunner(storage.store, storage.dataSource, ledgerProjections(), { batchSize: 50 });
    await live.start();
    await append(storage.store, 1500, 21);
    let writing = true;
    const errors: unknown[] = [];
    let queries = 0;
    // setImmediate: on PGlite every query resolves without returning to the event loop, which would starve timers.
    const traffic = (async () => {
      for (let seed = 100; writing; seed++) {
        await append(storage.store, 30, seed, 3);
        await new Promise((r) => setImmediate(r));
      }
    })();
    const reads = (async () => {
      while (writing) {
        await new Promise((r) => setImmediate(r));
        await storage.dataSource
          .getRepository(CardBalanceEntity)
          .find({ take: 5, order: { subscriptionId: 'ASC' } })
          .then(
            () => queries++,
            (e) => errors.push(e),
          );
        await storage.dataSource
          .getRepository(RenewalEntity)
          .count()
          .then(
            () => queries++,
            (e) => errors.push(e),
          );
      }
    })();
    const report = await rebuildProjections(storage, LEDGER_PROJECTION_NAMES, { batchSize: 300 });
    writing = false;
    await Promise.all([traffic, reads]);
    expect(errors).toEqual([]);
    expect(queries).toBeGreaterThan(0);
    expect(report.switched).toBe(true);
    const head =
      (await storage.store.readAll({ fromPosition: BigInt(report.position), limit: 100_000 })).at(-1)?.position ?? BigInt(report.position);
    await until(() => live.position() >= head, 'the live projection caught up after the switch');
    await live.stop();
    // Whatever the live runner applied after the switch went onto the rebuilt tables, and agrees with another replay.
    const again = await rebuildProjections(storage, LEDGER_PROJECTION_NAMES, { batchSize: 1000 });
    expect(again.comparisons.every((c) => c.live.sha256 === c.rebuilt.sha256)).toBe(true);
  });
};
