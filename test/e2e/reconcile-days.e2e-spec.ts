import 'reflect-metadata';
import { LedgerStorage, openLedgerStorage, reconcileDay, verifyRunChain } from '@ledger/read-models';

/**
 * Providers settle a day or two after the capture: open items carry over from one day's run to the
 * next, a line settled twice across days is a duplicate, and a day re-run later gives its bytes again.
 */
describe('reconciling across days', () => {
  let storage: LedgerStorage;
  const header = 'payout_id,provider_payment_id,reference,type,method,currency,gross_minor,fee_minor,net_minor,occurred_at\r\n';
  const line = (day: string, ref: string, at: string, kind = 'charge', gross = 1599, fee = 47) =>
    `po_${day},psp-${ref},${ref},${kind},card,EUR,${gross},${fee},${gross - fee},${at}\r\n`;
  const file = (...lines: string[]) => Buffer.from(header + lines.join(''));
  const movement = (ref: string, at: string, kind = 'charge', gross = 1599, fee: number | null = 47) =>
    storage.dataSource.query(
      `INSERT INTO money_movement (movement_id, reference, kind, subscription_id, renewal_id, currency, gross_minor, fee_minor, occurred_at, last_revision, last_position)
       VALUES ($1, $2, $3, 'card-1', $2, 'EUR', $4, $5, $6, 1, 1)`,
      [`${kind}:${ref}:${at}`, ref, kind, gross, fee, at],
    );
  const run = (day: string, settlement: Buffer, asOf: string) =>
    reconcileDay(storage.dataSource, { day, settlement, asOf, graceHours: 48 });
  const kinds = (r: { breaks: readonly { reference: string; kind: string }[] }) => r.breaks.map((b) => [b.reference, b.kind]);

  beforeAll(async () => {
    storage = await openLedgerStorage({ kind: 'embedded', dataDir: null });
    await movement('early', '2026-12-01T09:00:00.000Z');
    await movement('late', '2026-12-01T23:59:00.000Z');
    await movement('never', '2026-12-01T10:00:00.000Z');
    await movement('early', '2026-12-01T12:00:00.000Z', 'refund', -500, 0);
  });
  afterAll(() => storage.close());

  it('keeps a late capture and a refund pending on the first day and settles them the next', async () => {
    const d1 = file(line('2026-12-01', 'early', '2026-12-01T09:00:00.000Z'));
    const first = await run('2026-12-01', d1, '2026-12-02T06:00:00.000Z');
    expect(kinds(first)).toEqual([]);
    expect([first.matched, first.pending]).toEqual([1, 3]);
    expect(JSON.parse(first.report).pending).toEqual({
      count: 3,
      byCurrency: { EUR: { charges: 3198, fees: 94, refunds: -500, chargebacks: 0, net: 2604, count: 3 } },
    });

    const d2 = file(
      line('2026-12-02', 'late', '2026-12-01T23:59:00.000Z'),
      line('2026-12-02', 'early', '2026-12-01T12:00:00.000Z', 'refund', -500, 0),
      line('2026-12-02', 'early', '2026-12-01T09:00:00.000Z'),
    );
    const second = await run('2026-12-02', d2, '2026-12-04T06:00:00.000Z');
    // "early" was settled by the first day's file: the second day's line for it is a duplicate; "never" ran out of grace.
    expect(kinds(second)).toEqual([
      ['early', 'duplicate'],
      ['never', 'timing'],
    ]);
    expect(second.breaks[0].detail).toBe('the file of 2026-12-01 already settled this charge');
    expect([second.matched, second.pending]).toEqual([2, 0]);

    // The first day again, after the second: the same inputs, the same bytes.
    const again = await run('2026-12-01', d1, '2026-12-02T06:00:00.000Z');
    expect(again.report).toBe(first.report);
    expect(await verifyRunChain(storage.dataSource)).toBeNull();
  });

  it('replaces a day’s matches when the day is re-run with a corrected file', async () => {
    await movement('fixed', '2026-12-03T10:00:00.000Z');
    // A wrong file for the 3rd settles "fixed"; the corrected one does not (the 4th's does).
    await run('2026-12-03', file(line('2026-12-03', 'fixed', '2026-12-03T10:00:00.000Z')), '2026-12-04T00:00:00.000Z');
    const corrected = await run('2026-12-03', file(), '2026-12-04T00:00:00.000Z');
    // ("never", of the 1st, is still open and long past its grace: a timing break every day until settled.)
    expect(kinds(corrected)).toEqual([['never', 'timing']]);
    expect(JSON.parse(corrected.report).pending.count).toBe(1);
    const next = await run('2026-12-04', file(line('2026-12-04', 'fixed', '2026-12-03T10:00:00.000Z')), '2026-12-05T00:00:00.000Z');
    expect(kinds(next)).toEqual([['never', 'timing']]);
    expect(next.matched).toBe(1);
  });

  it('names a duplicate only for the same money, and leaves later movements out of the day', async () => {
    await movement('twice', '2026-12-05T10:00:00.000Z', 'refund', -500, 0);
    await movement('twice', '2026-12-05T11:00:00.000Z', 'charge');
    await run(
      '2026-12-05',
      file(
        line('2026-12-05', 'twice', '2026-12-05T10:00:00.000Z', 'refund', -500, 0),
        line('2026-12-05', 'twice', '2026-12-05T11:00:00.000Z'),
      ),
      '2026-12-06T00:00:00.000Z',
    );
    // A refund of a different amount the ledger never booked is missing, not a duplicate; the same −500 again is one.
    await movement('twice', '2026-12-07T09:00:00.000Z', 'refund', -200, 0);
    const sixth = await run(
      '2026-12-06',
      file(
        line('2026-12-06', 'twice', '2026-12-06T10:00:00.000Z', 'refund', -300, 0),
        line('2026-12-06', 'twice', '2026-12-05T10:00:00.000Z', 'refund', -500, 0),
      ),
      '2026-12-10T00:00:00.000Z',
    );
    // The −200 refund of the 7th is no business of the 6th: neither pending nor a break there.
    expect(kinds(sixth)).toEqual([
      ['never', 'timing'],
      ['twice', 'duplicate'],
      ['twice', 'missing_in_ledger'],
    ]);
    expect(sixth.breaks.find((b) => b.kind === 'missing_in_ledger')!.detail).toMatch(/-300/);
    expect(JSON.parse(sixth.report).openSince).toBe('2026-12-01');
  });

  it('refuses a file it cannot read entirely, and stores no run and no match for it', async () => {
    const [{ count: before }] = await storage.dataSource.query('SELECT count(*)::int AS count FROM reconciliation_run');
    const [{ count: matches }] = await storage.dataSource.query('SELECT count(*)::int AS count FROM settlement_match');
    const bad = file(
      line('2026-12-03', 'late', '2026-12-01T23:59:00.000Z'),
      'po_x,psp-y,y,charge,card,EUR,12.5,0,12.5,2026-12-03T00:00:00Z\r\n',
    );
    await expect(run('2026-12-03', bad, '2026-12-04T00:00:00.000Z')).rejects.toThrow(/line 3, gross_minor: "12.5"/);
    expect(await storage.dataSource.query('SELECT count(*)::int AS count FROM reconciliation_run')).toEqual([{ count: before }]);
    expect(await storage.dataSource.query('SELECT count(*)::int AS count FROM settlement_match')).toEqual([{ count: matches }]);
  });
});
