import { Inject } from '@nestjs/common';
import { IQueryHandler, Query, QueryHandler } from '@nestjs/cqrs';
import { DataSource } from 'typeorm';
import { DATA_SOURCE } from '../infrastructure/tokens';
import { ProblemException } from '../http/problem';

export interface RunSummary {
  seq: number;
  day: string;
  breaks: number;
  settlementSha256: string;
  ledgerSha256: string;
  reportSha256: string;
  previousHash: string;
  hash: string;
  ranAt: string;
}

const summary = (r: Record<string, any>): RunSummary => ({
  seq: Number(r.seq),
  day: r.day,
  breaks: r.breaks,
  settlementSha256: r.settlement_sha256,
  ledgerSha256: r.ledger_sha256,
  reportSha256: r.report_sha256,
  previousHash: r.previous_hash,
  hash: r.hash,
  ranAt: new Date(r.ran_at).toISOString(),
});

const COLUMNS =
  "seq, to_char(day, 'YYYY-MM-DD') AS day, breaks, settlement_sha256, ledger_sha256, report_sha256, previous_hash, hash, ran_at";

/** The reconciliation runs of a day, oldest first (`npm run reconcile` writes them). */
export class ListRunsQuery extends Query<{ day: string; runs: RunSummary[] }> {
  constructor(readonly day: string) {
    super();
  }
}

/** One run with its stored report, exactly as stored (the bytes its hash covers). */
export class GetRunQuery extends Query<{ run: RunSummary; report: string }> {
  constructor(readonly seq: number) {
    super();
  }
}

@QueryHandler(ListRunsQuery)
export class ListRunsHandler implements IQueryHandler<ListRunsQuery> {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  async execute({ day }: ListRunsQuery) {
    const rows = await this.dataSource.query(`SELECT ${COLUMNS} FROM reconciliation_run WHERE day = $1::date ORDER BY seq`, [day]);
    return { day, runs: rows.map(summary) };
  }
}

@QueryHandler(GetRunQuery)
export class GetRunHandler implements IQueryHandler<GetRunQuery> {
  constructor(@Inject(DATA_SOURCE) private readonly dataSource: DataSource) {}

  async execute({ seq }: GetRunQuery) {
    const [row] = await this.dataSource.query(`SELECT ${COLUMNS}, report FROM reconciliation_run WHERE seq = $1`, [seq]);
    if (!row) throw new ProblemException(404, 'RUN_NOT_FOUND', `reconciliation run ${seq} does not exist`, 'seq');
    return { run: summary(row), report: row.report as string };
  }
}
