/**
 * Settlement matching ([10]): the ledger's money movements of a day against the provider's
 * settlement lines, line by line on our payment reference. No tolerance: a fee the ledger did not
 * book, or booked differently, is a break like a missing line.
 */
export type MovementKind = 'charge' | 'refund' | 'chargeback';

/** Money that moved in the ledger: a capture (gross > 0, its fee as booked), a refund or a lost chargeback (gross < 0). */
export interface LedgerMovement {
  readonly reference: string;
  readonly kind: MovementKind;
  readonly currency: string;
  readonly grossMinor: number;
  /** Charges: the fee the ledger booked at capture, null when it booked none. Refunds and chargebacks: 0. */
  readonly feeMinor: number | null;
  readonly at: string;
}

/** One line of the provider's settlement report. */
export interface SettlementLine {
  readonly line: number;
  readonly payoutId: string;
  readonly reference: string;
  readonly kind: MovementKind;
  readonly currency: string;
  readonly grossMinor: number;
  readonly feeMinor: number;
  readonly netMinor: number;
  readonly at: string;
}

export type BreakKind =
  | 'missing_in_ledger'
  | 'missing_at_provider'
  | 'amount_mismatch'
  | 'currency_mismatch'
  | 'fee_not_booked'
  | 'fee_mismatch'
  | 'net_mismatch'
  | 'duplicate'
  | 'timing'
  | 'entitlement_missing'
  | 'cash_missing'
  | 'revocation_missing'
  | 'revocation_orphan';

export interface Break {
  readonly kind: BreakKind;
  readonly reference: string;
  readonly movement: MovementKind;
  readonly detail: string;
  readonly line?: number;
}

export interface MatchOptions {
  /**
   * When the matching runs: a ledger movement not yet settled is pending until `graceHours` after it
   * (providers settle a day or two later), then a break: timing for a charge, missing_at_provider for
   * money that went back.
   */
  readonly now: string;
  readonly graceHours: number;
}

export interface MatchResult<M extends LedgerMovement = LedgerMovement> {
  readonly matched: number;
  /** Each ledger movement a line settled, with that line's number. */
  readonly settled: readonly { readonly movement: M; readonly line: number }[];
  /** In the ledger, not yet in a settlement, still within the grace period. */
  readonly pending: readonly M[];
  /** Sorted by reference, movement, kind, line: the same inputs give the same order. */
  readonly breaks: readonly Break[];
}

const keyOf = (m: { reference: string; kind: MovementKind }): string => `${m.reference}\u0000${m.kind}`;

/**
 * Matches each settlement line to one ledger movement of the same reference and kind (several
 * refunds of one payment pair by amount first, then in time order). What is left on either side is
 * a break, except a ledger charge still inside its grace period.
 */
export const matchSettlement = <M extends LedgerMovement>(
  ledger: readonly M[],
  lines: readonly SettlementLine[],
  options: MatchOptions,
): MatchResult<M> => {
  const open = new Map<string, M[]>();
  for (const m of [...ledger].sort((a, b) => cmp(a.at, b.at))) {
    const k = keyOf(m);
    const list = open.get(k);
    if (list) list.push(m);
    else open.set(k, [m]);
  }
  const breaks: Break[] = [];
  const seen = new Set<string>();
  const settled: { movement: M; line: number }[] = [];
  for (const l of lines) {
    const identity = `${l.payoutId}\u0000${keyOf(l)}\u0000${l.grossMinor}\u0000${l.at}`;
    const base = { reference: l.reference, movement: l.kind, line: l.line };
    if (seen.has(identity)) {
      breaks.push({ ...base, kind: 'duplicate', detail: `the provider reports this ${l.kind} twice` });
      continue;
    }
    seen.add(identity);
    if (l.grossMinor - l.feeMinor !== l.netMinor)
      breaks.push({ ...base, kind: 'net_mismatch', detail: `gross ${l.grossMinor} − fee ${l.feeMinor} ≠ net ${l.netMinor}` });
    const candidates = open.get(keyOf(l));
    if (!candidates?.length) {
      breaks.push({
        ...base,
        kind: 'missing_in_ledger',
        detail: `the provider settled ${l.grossMinor} ${l.currency} the ledger never recorded`,
      });
      continue;
    }
    const at = Math.max(
      0,
      candidates.findIndex((m) => m.grossMinor === l.grossMinor && m.currency === l.currency),
    );
    const [m] = candidates.splice(at, 1);
    settled.push({ movement: m, line: l.line });
    if (m.currency !== l.currency)
      breaks.push({ ...base, kind: 'currency_mismatch', detail: `ledger ${m.currency}, provider ${l.currency}` });
    else if (m.grossMinor !== l.grossMinor)
      breaks.push({ ...base, kind: 'amount_mismatch', detail: `ledger ${m.grossMinor}, provider ${l.grossMinor} ${l.currency}` });
    if (m.kind === 'charge' && m.feeMinor === null && l.feeMinor !== 0)
      breaks.push({ ...base, kind: 'fee_not_booked', detail: `the provider kept ${l.feeMinor} ${l.currency} the ledger did not book` });
    else if ((m.feeMinor ?? 0) !== l.feeMinor)
      breaks.push({ ...base, kind: 'fee_mismatch', detail: `ledger fee ${m.feeMinor ?? 0}, provider ${l.feeMinor} ${l.currency}` });
  }
  const pending: M[] = [];
  const graceMs = options.graceHours * 3_600_000;
  for (const rest of open.values())
    for (const m of rest) {
      const due = Date.parse(m.at) + graceMs;
      if (Date.parse(options.now) < due) pending.push(m);
      else
        breaks.push({
          reference: m.reference,
          movement: m.kind,
          kind: m.kind === 'charge' ? 'timing' : 'missing_at_provider',
          detail:
            m.kind === 'charge'
              ? `captured ${m.at}, not settled within ${options.graceHours} h`
              : `the ledger recorded this ${m.kind} (${m.grossMinor} ${m.currency}) ${m.at}; the provider did not settle it within ${options.graceHours} h`,
        });
    }
  breaks.sort(compareBreaks);
  pending.sort((a, b) => cmp(a.reference, b.reference) || cmp(a.at, b.at));
  return { matched: settled.length, settled, pending, breaks };
};

const cmp = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** The one order of breaks in a report: by reference, movement, kind, line. */
export const compareBreaks = (a: Break, b: Break): number =>
  cmp(a.reference, b.reference) || cmp(a.movement, b.movement) || cmp(a.kind, b.kind) || (a.line ?? 0) - (b.line ?? 0);

/** Breaks as RFC 4180 CSV with a header row: what finance opens in a spreadsheet. */
export const BREAK_COLUMNS = ['kind', 'reference', 'movement', 'line', 'detail'] as const;
export const breakRows = (breaks: readonly Break[]): (string | number)[][] =>
  breaks.map((b) => [b.kind, b.reference, b.movement, b.line ?? '', b.detail]);
