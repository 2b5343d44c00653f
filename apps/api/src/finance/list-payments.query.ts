import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { stringify } from 'csv-stringify/sync';
import { DATA_SOURCE } from '../infrastructure/tokens';

export interface PaymentRow {
  paymentId: string;
  renewalId: string;
  subscriptionId: string;
  accountId: string | null;
  region: string | null;
  planId: string;
  method: string;
  currency: string;
  listMinor: number;
  discountsMinor: number;
  promotions: string;
  amountMinor: number;
  feeMinor: number | null;
  netMinor: number | null;
  refundedMinor: number;
  chargebackLostMinor: number;
  status: string;
  chargeback: string | null;
  entitlementGranted: boolean;
  revocations: number;
  providerReference: string | null;
  selectedAt: string;
  capturedAt: string | null;
  history: { at: string; status: string; detail?: string }[];
}

export interface PaymentPage {
  date: string;
  payments: PaymentRow[];
  /** Pass as `after` for the next page; absent on the last one. */
  next?: string;
}

/** One UTC day's payment attempts (by when the plan was selected), in payment-id order, a page at a time. */
export class ListPaymentsQuery extends Query<PaymentPage> {
  constructor(
    readonly date: string,
    readonly after: string | undefined,
    readonly limit: number,
  ) {
    super();
  }
}

const iso = (v: unknown): string | null => (v === null || v === undefined ? null : new Date(v as string).toISOString());

@QueryHandler(ListPaymentsQuery)
export class ListPaymentsHandler implements IQueryHandler<ListPaymentsQuery> {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  async execute({ date, after, limit }: ListPaymentsQuery): Promise<PaymentPage> {
    const from = `${date}T00:00:00.000Z`;
    const rows: Record<string, any>[] = await this.dataSource.query(
      `SELECT p.*, c.account_id, c.region FROM payment p LEFT JOIN card_balance c ON c.subscription_id = p.subscription_id
       WHERE p.selected_at >= $1::timestamptz AND p.selected_at < $1::timestamptz + interval '1 day' AND p.payment_id > $2
       ORDER BY p.payment_id LIMIT $3`,
      [from, after ?? '', limit + 1],
    );
    const page = rows.slice(0, limit).map((r): PaymentRow => ({
      paymentId: r.payment_id,
      renewalId: r.renewal_id,
      subscriptionId: r.subscription_id,
      accountId: r.account_id ?? null,
      region: r.region ?? null,
      planId: r.plan_id,
      method: r.method,
      currency: r.currency,
      listMinor: r.list_minor,
      discountsMinor: (r.discounts as { amountMinor: number }[]).reduce((s, d) => s + d.amountMinor, 0),
      promotions: (r.discounts as { promotionId: string }[]).map((d) => d.promotionId).join(' '),
      amountMinor: r.amount_minor,
      feeMinor: r.fee_minor,
      netMinor: r.fee_minor === null ? null : r.amount_minor - r.fee_minor,
      refundedMinor: r.refunded_minor,
      chargebackLostMinor: r.chargeback_lost_minor,
      status: r.status,
      chargeback: r.chargeback,
      entitlementGranted: r.entitlement_granted,
      revocations: r.revocations,
      providerReference: r.provider_reference,
      selectedAt: iso(r.selected_at)!,
      capturedAt: iso(r.captured_at),
      history: r.history,
    }));
    return { date, payments: page, ...(rows.length > limit ? { next: page[page.length - 1].paymentId } : {}) };
  }
}

const CSV_COLUMNS: (keyof PaymentRow)[] = [
  'paymentId',
  'renewalId',
  'subscriptionId',
  'accountId',
  'region',
  'planId',
  'method',
  'currency',
  'listMinor',
  'discountsMinor',
  'promotions',
  'amountMinor',
  'feeMinor',
  'netMinor',
  'refundedMinor',
  'chargebackLostMinor',
  'status',
  'chargeback',
  'entitlementGranted',
  'revocations',
  'providerReference',
  'selectedAt',
  'capturedAt',
];

/** RFC 4180 (CRLF, quoted where needed), a header row, the history left to the JSON form. */
export const paymentsCsv = (page: PaymentPage): string =>
  stringify(
    page.payments.map((p) => CSV_COLUMNS.map((c) => (p[c] === null ? '' : String(p[c])))),
    { header: true, columns: CSV_COLUMNS.map(String), record_delimiter: 'windows' },
  );
