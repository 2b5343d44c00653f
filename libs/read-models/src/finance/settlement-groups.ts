import { QueryRunner } from 'typeorm';
import { LedgerMovement, MovementKind, SettlementLine } from '@ledger/domain';
import { cursorRows, isoText } from './sql-cursor';
import { STAGE } from './settlement-stage';

/** A ledger movement as a run sees it: its id (to record the match) and the earlier day that settled it, if any. */
export interface RunMovement extends LedgerMovement {
  readonly movementId: string;
  /** Settled by the file of an earlier day: not open, only there to name a line that settles it again. */
  readonly settledOn: string | null;
}

/** Everything a run knows about one payment reference: the ledger's movements and the file's lines. */
export interface ReferenceGroup {
  readonly reference: string;
  readonly movements: RunMovement[];
  readonly lines: SettlementLine[];
}

const OPEN = `NOT EXISTS (SELECT 1 FROM settlement_match s WHERE s.movement_id = m.movement_id AND s.day < $1::date)`;
/** Reconciliation starts with the first day reconciled: movements before it are no open items. */
const SINCE = `m.occurred_at >= $3::timestamptz`;
const NAMED = `m.reference IN (SELECT reference FROM ${STAGE})`;
const MOVEMENT = `m.reference, 0 AS side, m.movement_id AS id, m.kind, m.currency, m.gross_minor AS gross, m.fee_minor AS fee,
  NULL::bigint AS net, ${isoText('m.occurred_at')} AS at, NULL::text AS payout, 0 AS line`;

/**
 * The ledger side of a day's run, and the file's lines, by reference (byte order): every movement
 * from `since` to the day's end that no earlier day's file settled (open items carry over: providers
 * settle a day or two later), the movements the file names whenever they happened (a later one only
 * as a candidate for a line), and the staged lines. One sort on the server, read through a cursor:
 * memory holds one reference at a time.
 */
export async function* referenceGroups(qr: QueryRunner, day: string, since: string): AsyncIterable<ReferenceGroup> {
  const sql = `SELECT * FROM (
      SELECT ${MOVEMENT}, NULL::text AS settled_on FROM money_movement m
        WHERE m.occurred_at < $2::timestamptz AND ${SINCE} AND ${OPEN}
      UNION ALL
      SELECT ${MOVEMENT}, NULL::text FROM money_movement m
        WHERE (m.occurred_at >= $2::timestamptz OR m.occurred_at < $3::timestamptz) AND ${OPEN} AND ${NAMED}
      UNION ALL
      SELECT ${MOVEMENT}, to_char(s.day, 'YYYY-MM-DD') FROM money_movement m
        JOIN (SELECT movement_id, min(day) AS day FROM settlement_match WHERE day < $1::date GROUP BY movement_id) s ON s.movement_id = m.movement_id
        WHERE ${NAMED}
      UNION ALL
      SELECT reference, 1, NULL, kind, currency, gross_minor, fee_minor, net_minor, ${isoText('occurred_at')}, payout_id, line, NULL FROM ${STAGE}
    ) x ORDER BY reference COLLATE "C", side, id COLLATE "C", line`;
  const end = new Date(Date.parse(`${day}T00:00:00.000Z`) + 86_400_000).toISOString();
  let group: ReferenceGroup | null = null;
  for await (const rows of cursorRows(qr, 'reference_groups', sql, [day, end, since], 10_000)) {
    for (const r of rows) {
      if (group && group.reference !== r.reference) {
        yield group;
        group = null;
      }
      group ??= { reference: r.reference, movements: [], lines: [] };
      const kind = r.kind as MovementKind;
      if (r.side === 0)
        group.movements.push({
          movementId: r.id,
          reference: r.reference,
          kind,
          currency: r.currency,
          grossMinor: Number(r.gross),
          feeMinor: r.fee === null ? null : Number(r.fee),
          at: r.at,
          settledOn: r.settled_on,
        });
      else
        group.lines.push({
          line: r.line,
          payoutId: r.payout,
          reference: r.reference,
          kind,
          currency: r.currency,
          grossMinor: Number(r.gross),
          feeMinor: Number(r.fee),
          netMinor: Number(r.net),
          at: r.at,
        });
    }
  }
  if (group) yield group;
}
