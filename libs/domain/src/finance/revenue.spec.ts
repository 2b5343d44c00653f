import fc from 'fast-check';
import { RevenuePayment, revenueForDay } from './revenue';

const DAY = 86_400_000;
const T0 = Date.parse('2026-12-01T00:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();
const dayOf = (n: number) => iso(T0 + n * DAY).slice(0, 10);
const group = { currency: 'EUR', method: 'card', region: 'EU', planId: 'eu-monthly-10gb', promotion: 'none' };

const payment = (over: Partial<RevenuePayment> = {}): RevenuePayment => ({
  paymentId: 'p1',
  group,
  listMinor: 3000,
  discountsMinor: 0,
  priceMinor: 3000,
  feeMinor: 67,
  capturedAt: iso(T0),
  periodStart: iso(T0),
  periodEnd: iso(T0 + 30 * DAY),
  dataMb: 10240,
  forfeitedMb: 0,
  back: [],
  ...over,
});

const days = (p: RevenuePayment, n: number) => Array.from({ length: n }, (_, i) => revenueForDay([p], dayOf(i))[0]);

describe('revenue recognition', () => {
  it('recognises a 30-day plan straight line, a thirtieth a day, and books the sale on its day', () => {
    const rows = days(payment(), 31);
    expect(rows[0]).toMatchObject({ gross: 3000, net: 3000, fees: 67, recognised: 100, deferred: 2900 });
    expect(rows[1]).toMatchObject({ gross: 0, net: 0, recognised: 100, deferred: 2800 });
    expect(rows.slice(0, 30).reduce((s, r) => s + r.recognised, 0)).toBe(3000);
    expect(rows[29].deferred).toBe(0);
    expect(rows[30].recognised).toBe(0);
  });

  it('defers a period stacked after the current one until it starts', () => {
    const stacked = payment({ periodStart: iso(T0 + 10 * DAY), periodEnd: iso(T0 + 40 * DAY) });
    expect(days(stacked, 11).map((r) => r.recognised)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 100]);
  });

  it('takes a refund out of what is still deferred, and spreads the rest over the days left', () => {
    const refunded = payment({ back: [{ at: iso(T0 + 10 * DAY), amountMinor: 1000 }] });
    const rows = days(refunded, 30);
    expect(rows[10]).toMatchObject({ refunds: 1000 });
    expect(rows[9].deferred).toBe(2000);
    expect(rows[10].deferred).toBe(1000 - 50);
    expect(rows.reduce((s, r) => s + r.recognised, 0)).toBe(2000);
  });

  it('reverses recognised revenue when money goes back after the period was served', () => {
    const late = payment({ back: [{ at: iso(T0 + 35 * DAY), amountMinor: 3000 }] });
    expect(revenueForDay([late], dayOf(35))).toEqual([expect.objectContaining({ refunds: 3000, recognised: -3000, deferred: 0 })]);
  });

  it('reports unused data at the end of the period as breakage, a share of what was recognised', () => {
    const unused = payment({ forfeitedMb: 5120 });
    expect(revenueForDay([unused], dayOf(30))[0].breakage).toBe(1500);
  });

  it('adds up: over every day, recognised plus money back is the price, and nothing stays deferred', () =>
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 100_000 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 0, max: 20 * DAY }),
        fc.array(fc.record({ after: fc.integer({ min: 0, max: 60 * DAY }), share: fc.integer({ min: 1, max: 40 }) }), { maxLength: 3 }),
        (price, length, offset, backs) => {
          let left = price;
          const back = backs.flatMap((b) => {
            const amountMinor = Math.min(left, Math.ceil((price * b.share) / 100));
            left -= amountMinor;
            return amountMinor > 0 ? [{ at: iso(T0 + b.after), amountMinor }] : [];
          });
          const p = payment({
            priceMinor: price,
            listMinor: price,
            periodStart: iso(T0 + offset),
            periodEnd: iso(T0 + offset + length * DAY),
            back,
          });
          const rows = Array.from({ length: 70 }, (_, i) => revenueForDay([p], dayOf(i))[0]);
          const recognised = rows.reduce((s, r) => s + r.recognised, 0);
          const refunds = rows.reduce((s, r) => s + r.refunds, 0);
          expect(recognised + refunds).toBe(price);
          expect(rows[69].deferred).toBe(0);
        },
      ),
      { numRuns: 200 },
    ));
});
