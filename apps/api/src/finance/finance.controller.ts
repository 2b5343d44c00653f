import { Controller, Get, Param, Query as QueryParam, Res } from '@nestjs/common';
import { Break } from '@ledger/domain';
import { breaksCsv } from '@ledger/read-models';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { FastifyReply } from 'fastify';
import { Allow } from '../auth/access.decorator';
import { ProblemException } from '../http/problem';
import { ListPaymentsQuery, PaymentPage, paymentsCsv } from './list-payments.query';
import { GetRunQuery, ListRunsQuery } from './reconciliation-runs.query';

const DAY = /^\d{4}-\d{2}-\d{2}$/;
const ID = /^[A-Za-z0-9-]{1,64}$/;

const day = (value: string | undefined, field = 'date'): string => {
  if (
    !value ||
    !DAY.test(value) ||
    Number.isNaN(Date.parse(`${value}T00:00:00Z`)) ||
    new Date(`${value}T00:00:00Z`).toISOString().slice(0, 10) !== value
  )
    throw new ProblemException(400, 'VALIDATION_FAILED', `${field} must be a calendar day YYYY-MM-DD (UTC)`, field);
  return value;
};

/** Finance's reads: payments by day, as JSON or as CSV a spreadsheet opens. */
@ApiTags('finance')
@ApiBearerAuth('bearer')
@Controller('v1/finance')
export class FinanceController {
  constructor(private readonly queries: QueryBus) {}

  @Get('payments')
  @ApiQuery({ name: 'date', required: true, description: 'UTC day of the attempt, YYYY-MM-DD' })
  @ApiQuery({ name: 'after', required: false, description: 'the `next` of the previous page' })
  @ApiQuery({ name: 'limit', required: false, description: '1–10000, default 1000' })
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  @Allow(['finance'])
  async payments(
    @Res({ passthrough: true }) reply: FastifyReply,
    @QueryParam('date') date?: string,
    @QueryParam('after') after?: string,
    @QueryParam('limit') limit?: string,
    @QueryParam('format') format?: string,
  ): Promise<PaymentPage | string> {
    if (after !== undefined && !ID.test(after)) throw new ProblemException(400, 'VALIDATION_FAILED', 'after must be a payment id', 'after');
    const n = limit === undefined ? 1000 : Number(limit);
    if (!Number.isInteger(n) || n < 1 || n > 10_000)
      throw new ProblemException(400, 'VALIDATION_FAILED', 'limit must be a whole number from 1 to 10000', 'limit');
    if (format !== undefined && format !== 'json' && format !== 'csv')
      throw new ProblemException(400, 'VALIDATION_FAILED', 'format must be json or csv', 'format');
    const page = await this.queries.execute(new ListPaymentsQuery(day(date), after, n));
    if (format !== 'csv') return page;
    void reply.header('content-type', 'text/csv; charset=utf-8');
    void reply.header('content-disposition', `attachment; filename="payments-${page.date}.csv"`);
    if (page.next)
      void reply.header('link', `</v1/finance/payments?date=${page.date}&after=${page.next}&limit=${n}&format=csv>; rel="next"`);
    return paymentsCsv(page);
  }

  @Get('reconciliations')
  @ApiQuery({ name: 'day', required: true, description: 'UTC day, YYYY-MM-DD' })
  @Allow(['finance'])
  runs(@QueryParam('day') dayParam?: string) {
    return this.queries.execute(new ListRunsQuery(day(dayParam, 'day')));
  }

  @Get('reconciliations/:seq')
  @ApiQuery({ name: 'format', required: false, enum: ['json', 'csv'] })
  @Allow(['finance'])
  async run(@Param('seq') seqParam: string, @Res({ passthrough: true }) reply: FastifyReply, @QueryParam('format') format?: string) {
    if (!/^\d{1,15}$/.test(seqParam)) throw new ProblemException(400, 'VALIDATION_FAILED', 'seq must be a run number', 'seq');
    if (format !== undefined && format !== 'json' && format !== 'csv')
      throw new ProblemException(400, 'VALIDATION_FAILED', 'format must be json or csv', 'format');
    const { run, report } = await this.queries.execute(new GetRunQuery(Number(seqParam)));
    const parsed = JSON.parse(report) as { breaks: Break[] };
    if (format !== 'csv') return { run, report: parsed };
    void reply.header('content-type', 'text/csv; charset=utf-8');
    void reply.header('content-disposition', `attachment; filename="reconciliation-${run.day}-${run.seq}.csv"`);
    return breaksCsv(parsed.breaks);
  }
}
