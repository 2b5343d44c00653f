import { QueryRunner } from 'typeorm';
import { PaymentEntitlement, RevenuePayment } from '@ledger/domain';
import { cursorRows, isoText } from './sql-cursor';

/** The day's payments (captured that day, or extended that day without a capture) for entitlement to cash. */
export async function* paymentEntitlements(qr: QueryRunner, day: string): AsyncIterable<PaymentEntitlement[]> {
  const sql = `SELECT payment_id, captured_at, entitlement_granted, refunds, chargebacks_lost, revocations FROM payment
     WHERE (captured_at >= $1::timestamptz AND captured_at < $1::timestamptz + interval '1 day')
        OR (captured_at IS NULL AND entitlement_granted AND selected_at >= $1::timestamptz AND selected_at < $1::timestamptz + interval '1 day')
     ORDER BY payment_id COLLATE "C"`;
  for await (const rows of cursorRows(qr, 'payment_entitlements', sql, [`${day}T00:00:00.000Z`], 10_000))
    yield rows.map((r) => ({
      reference: r.payment_id,
      captured: r.captured_at !== null,
      granted: r.entitlement_granted,
      refunds: r.refunds,
      chargebacksLost: r.chargebacks_lost,
      revocations: r.revocations,
    }));
}

/**
 * The payments whose revenue moves on the day: captured by its end and still in service, captured
 * that day, or with money going back that day; each with its money back over its whole life.
 */
export async function* revenuePayments(qr: QueryRunner, day: string): AsyncIterable<RevenuePayment[]> {
  // Money back is rare: aggregated once per payment that has any, and joined.
  const sql = `SELECT p.payment_id, p.currency, p.method, c.region, p.plan_id, p.discounts, p.list_minor, p.amount_minor, p.fee_minor,
       ${isoText('p.captured_at')} AS captured_at, ${isoText('p.period_end')} AS period_end, p.days, p.data_mb, p.forfeited_mb, b.back
     FROM payment p LEFT JOIN card_balance c ON c.subscription_id = p.subscription_id
     LEFT JOIN (SELECT reference, json_agg(json_build_object('at', ${isoText('occurred_at')}, 'amountMinor', -gross_minor) ORDER BY occurred_at, movement_id) AS back
                FROM money_movement WHERE kind <> 'charge' GROUP BY reference) b ON b.reference = p.payment_id
     WHERE p.captured_at < $1::timestamptz + interval '1 day' AND p.period_end IS NOT NULL
       AND (p.period_end >= $1::timestamptz OR p.captured_at >= $1::timestamptz OR p.payment_id IN (
         SELECT reference FROM money_movement WHERE kind <> 'charge' AND occurred_at >= $1::timestamptz AND occurred_at < $1::timestamptz + interval '1 day'))
     ORDER BY p.payment_id COLLATE "C"`;
  for await (const rows of cursorRows(qr, 'revenue_payments', sql, [`${day}T00:00:00.000Z`], 10_000))
    yield rows.map((r) => {
      const end = Date.parse(r.period_end);
      const discounts = r.discounts as { promotionId: string; amountMinor: number }[];
      const back = (r.back ?? []) as { at: string; amountMinor: number }[];
      return {
        paymentId: r.payment_id,
        group: {
          currency: r.currency,
          method: r.method,
          region: r.region ?? 'unknown',
          planId: r.plan_id,
          promotion: discounts.map((d) => d.promotionId).join('+') || 'none',
        },
        listMinor: r.list_minor,
        discountsMinor: discounts.reduce((s, d) => s + d.amountMinor, 0),
        priceMinor: r.amount_minor,
        feeMinor: r.fee_minor ?? 0,
        capturedAt: r.captured_at,
        periodStart: new Date(end - r.days * 86_400_000).toISOString(),
        periodEnd: r.period_end,
        dataMb: r.data_mb,
        forfeitedMb: r.forfeited_mb,
        back,
      };
    });
}
