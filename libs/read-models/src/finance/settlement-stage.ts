import { QueryRunner } from 'typeorm';
import { SettlementLine } from '@ledger/domain';
import { MoneyTotals, addToTotals } from './money-totals';
import { Batches } from './sql-cursor';

/** The temporary table a run's settlement lines are loaded into: gone when the run's transaction ends. */
export const STAGE = 'settlement_stage';

export interface StagedTotals {
  lines: number;
  /** Per currency, as the provider reports them. */
  byCurrency: MoneyTotals;
}

/**
 * Loads the file's lines into a temporary table, a few thousand per statement, so the matching can
 * sort them with the ledger's movements on the server instead of holding either side here.
 */
export const stageSettlement = async (qr: QueryRunner, lines: AsyncIterable<SettlementLine>): Promise<StagedTotals> => {
  await qr.query(`CREATE TEMPORARY TABLE ${STAGE} (
    line integer PRIMARY KEY, payout_id text NOT NULL, reference text NOT NULL, kind text NOT NULL, currency text NOT NULL,
    gross_minor bigint NOT NULL, fee_minor bigint NOT NULL, net_minor bigint NOT NULL, occurred_at timestamptz NOT NULL) ON COMMIT DROP`);
  const totals: StagedTotals = { lines: 0, byCurrency: {} };
  const batches = new Batches<SettlementLine>(async (items) => {
    const column = <K extends keyof SettlementLine>(k: K) => items.map((l) => l[k]);
    await qr.query(
      `INSERT INTO ${STAGE} SELECT * FROM unnest($1::int[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[], $8::bigint[], $9::timestamptz[])`,
      [
        column('line'),
        column('payoutId'),
        column('reference'),
        column('kind'),
        column('currency'),
        column('grossMinor'),
        column('feeMinor'),
        column('netMinor'),
        column('at'),
      ],
    );
  });
  for await (const l of lines) {
    totals.lines++;
    addToTotals(totals.byCurrency, l);
    await batches.push(l);
  }
  await batches.flush();
  await qr.query(`CREATE INDEX ON ${STAGE} (reference)`);
  await qr.query(`ANALYZE ${STAGE}`);
  return totals;
};
