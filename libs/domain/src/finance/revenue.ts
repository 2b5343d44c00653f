/**
 * Revenue recognition ([10]). A prepaid plan is a liability until it is served: each renewal's price
 * is deferred at capture and recognised straight line over its validity period, by the millisecond
 * (so by day, a day's share of the period; a period stacked after the current one starts later).
 * Money that goes back (a refund, a lost chargeback) reverses what is still deferred first and only
 * then what was already recognised. Data still unused when the period ends is breakage: its share of
 * what the renewal recognised is reported on the day the period ends (it is part of that day's
 * recognised revenue, not extra). Cumulative amounts are rounded, so the days add up exactly.
 */
export interface RevenuePayment {
  readonly paymentId: string;
  readonly group: RevenueGroup;
  readonly listMinor: number;
  readonly discountsMinor: number;
  readonly priceMinor: number;
  readonly feeMinor: number;
  readonly capturedAt: string;
  readonly periodStart: string;
  readonly periodEnd: string;
  readonly dataMb: number;
  readonly forfeitedMb: number;
  /** Money back (refunds, lost chargebacks) with when it went. */
  readonly back: readonly { readonly at: string; readonly amountMinor: number }[];
}

export interface RevenueGroup {
  readonly currency: string;
  readonly method: string;
  readonly region: string;
  readonly planId: string;
  /** The promotion ids applied, joined with "+"; "none" without any. */
  readonly promotion: string;
}

export interface RevenueRow extends RevenueGroup {
  readonly gross: number;
  readonly discounts: number;
  readonly net: number;
  readonly fees: number;
  readonly refunds: number;
  readonly recognised: number;
  readonly breakage: number;
  /** Still owed in service at the end of the day. */
  readonly deferred: number;
}

const t = (iso: string): number => Date.parse(iso);

/** What the renewal has recognised by `at` (not rounded): the schedule with the money back applied in time order. */
export const recognisedBy = (p: RevenuePayment, at: number): number => {
  const start = t(p.periodStart);
  const end = t(p.periodEnd);
  let deferred = p.priceMinor;
  let recognised = 0;
  let cursor = Math.max(start, t(p.capturedAt));
  const advance = (to: number) => {
    const from = Math.max(cursor, start);
    const until = Math.min(to, end);
    if (until > from && deferred > 0) {
      const share = (deferred * (until - from)) / (end - from);
      recognised += share;
      deferred -= share;
    }
    cursor = Math.max(cursor, to);
  };
  for (const b of [...p.back].sort((x, y) => t(x.at) - t(y.at))) {
    if (t(b.at) >= at) break;
    advance(t(b.at));
    const applied = Math.min(b.amountMinor, deferred);
    deferred -= applied;
    recognised -= b.amountMinor - applied;
  }
  advance(at);
  return recognised;
};

const keyOf = (g: RevenueGroup): string => [g.currency, g.method, g.region, g.planId, g.promotion].join('\u0000');

type MutableRow = { -readonly [K in keyof RevenueRow]: RevenueRow[K] };

/** One UTC day's totals per currency, method, region, plan and promotion, one payment at a time (memory: one row per group). */
export class RevenueDay {
  private readonly d0: number;
  private readonly d1: number;
  private readonly groups = new Map<string, MutableRow>();

  constructor(day: string) {
    this.d0 = t(`${day}T00:00:00.000Z`);
    this.d1 = this.d0 + 86_400_000;
  }

  add(p: RevenuePayment): void {
    const { d0, d1 } = this;
    if (t(p.capturedAt) >= d1) return;
    const key = keyOf(p.group);
    let row = this.groups.get(key);
    if (!row) {
      row = { ...p.group, gross: 0, discounts: 0, net: 0, fees: 0, refunds: 0, recognised: 0, breakage: 0, deferred: 0 };
      this.groups.set(key, row);
    }
    if (t(p.capturedAt) >= d0) {
      row.gross += p.listMinor;
      row.discounts += p.discountsMinor;
      row.net += p.priceMinor;
      row.fees += p.feeMinor;
    }
    const backBefore = (x: number) => p.back.filter((b) => t(b.at) < x).reduce((s, b) => s + b.amountMinor, 0);
    row.refunds += backBefore(d1) - backBefore(d0);
    const upTo = Math.round(recognisedBy(p, d1));
    row.recognised += upTo - Math.round(recognisedBy(p, d0));
    row.deferred += p.priceMinor - backBefore(d1) - upTo;
    const end = t(p.periodEnd);
    if (end >= d0 && end < d1 && p.dataMb > 0 && p.forfeitedMb > 0) row.breakage += Math.round((upTo * p.forfeitedMb) / p.dataMb);
  }

  /** In a stable order, whatever order the payments came in. */
  rows(): RevenueRow[] {
    return [...this.groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, row]) => ({ ...row }));
  }
}

/** One UTC day's totals of a list of payments (see RevenueDay). */
export const revenueForDay = (payments: readonly RevenuePayment[], day: string): RevenueRow[] => {
  const revenue = new RevenueDay(day);
  for (const p of payments) revenue.add(p);
  return revenue.rows();
};
