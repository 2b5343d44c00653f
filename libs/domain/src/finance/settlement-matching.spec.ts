import { LedgerMovement, SettlementLine, matchSettlement } from './settlement-matching';

const T = '2026-12-01T10:00:00.000Z';
const charge = (reference: string, gross = 1599, fee: number | null = 47, at = T): LedgerMovement => ({
  reference,
  kind: 'charge',
  currency: 'EUR',
  grossMinor: gross,
  feeMinor: fee,
  at,
});
let n = 0;
const line = (reference: string, over: Partial<SettlementLine> = {}): SettlementLine => {
  const grossMinor = over.grossMinor ?? 1599;
  const feeMinor = over.feeMinor ?? 47;
  return {
    line: ++n,
    payoutId: 'po_2026-12-01_EUR',
    reference,
    kind: 'charge',
    currency: 'EUR',
    grossMinor,
    feeMinor,
    netMinor: grossMinor - feeMinor,
    at: T,
    ...over,
  };
};
const opts = { now: '2026-12-02T10:00:00.000Z', graceHours: 48 };
const kinds = (r: ReturnType<typeof matchSettlement>) => r.breaks.map((b) => [b.reference, b.kind]);

describe('settlement matching', () => {
  it('matches every line to its movement and reports nothing when they agree', () => {
    const refund: LedgerMovement = { reference: 'p2', kind: 'refund', currency: 'EUR', grossMinor: -500, feeMinor: 0, at: T };
    const lines = [line('p1'), line('p2'), line('p2', { kind: 'refund', grossMinor: -500, feeMinor: 0 })];
    const r = matchSettlement([charge('p1'), charge('p2'), refund], lines, opts);
    expect(r).toMatchObject({ matched: 3, pending: [], breaks: [] });
    expect(r.settled.map((s) => [s.movement.reference, s.movement.kind, s.line])).toEqual(lines.map((l) => [l.reference, l.kind, l.line]));
  });

  it('names a fee the ledger did not book, and one it booked differently', () => {
    expect(kinds(matchSettlement([charge('p1', 1599, null), charge('p2', 1599, 40)], [line('p1'), line('p2')], opts))).toEqual([
      ['p1', 'fee_not_booked'],
      ['p2', 'fee_mismatch'],
    ]);
  });

  it('names a line the ledger never recorded, a duplicate line, and an amount or currency that differ', () => {
    const lines = [line('ghost'), line('p1'), line('p1'), line('p2', { grossMinor: 1600, feeMinor: 47 }), line('p3', { currency: 'USD' })];
    const dup = { ...lines[1], line: 99 };
    expect(
      kinds(matchSettlement([charge('p1'), charge('p2'), charge('p3')], [...lines.slice(0, 2), dup, lines[3], lines[4]], opts)),
    ).toEqual([
      ['ghost', 'missing_in_ledger'],
      ['p1', 'duplicate'],
      ['p2', 'amount_mismatch'],
      ['p3', 'currency_mismatch'],
    ]);
  });

  it('keeps a capture not yet settled pending within the grace period, then calls it a timing break', () => {
    const recent = charge('late', 1599, 47, '2026-12-02T09:00:00.000Z');
    const old = charge('never', 1599, 47, '2026-11-28T09:00:00.000Z');
    const r = matchSettlement([recent, old], [], opts);
    expect(r.pending).toEqual([recent]);
    expect(kinds(r)).toEqual([['never', 'timing']]);
  });

  it('names a refund or lost chargeback the provider did not settle within the grace period', () => {
    const refund: LedgerMovement = { reference: 'p1', kind: 'refund', currency: 'EUR', grossMinor: -100, feeMinor: 0, at: T };
    const old = { ...refund, reference: 'p0', at: '2026-11-20T10:00:00.000Z' };
    const r = matchSettlement([refund, old], [], opts);
    expect(kinds(r)).toEqual([['p0', 'missing_at_provider']]);
    expect(r.pending).toEqual([refund]);
  });

  it('refuses a line whose net is not gross less fee', () => {
    expect(kinds(matchSettlement([charge('p1')], [line('p1', { netMinor: 1 })], opts))).toEqual([['p1', 'net_mismatch']]);
  });

  it('answers the same breaks in the same order whatever the order of the inputs', () => {
    const ledger = [charge('b', 1599, null), charge('a'), charge('c')];
    const lines = [line('c', { grossMinor: 1, feeMinor: 0 }), line('x'), line('b'), line('a')];
    const one = matchSettlement(ledger, lines, opts);
    const two = matchSettlement([...ledger].reverse(), [...lines].reverse(), opts);
    expect(two.breaks.map((b) => [b.reference, b.kind])).toEqual(one.breaks.map((b) => [b.reference, b.kind]));
  });
});
