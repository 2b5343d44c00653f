import { Controller, Get, Param, Query as QueryParam } from '@nestjs/common';
import { QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiQuery, ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/access.decorator';
import { ProblemException } from '../http/problem';
import { parsePosition } from '../http/request-context';
import { uuidParam } from '../http/params';
import { AuditEventsQuery } from './audit-events.query';
import { EventProofQuery } from './event-proof.query';

const TEXT = /^[A-Za-z0-9._:@-]{1,200}$/;
const FILTERS = ['actor', 'correlationId', 'causationId', 'type'] as const;

const time = (value: string | undefined, field: string): string | undefined => {
  if (value === undefined) return undefined;
  if (!/^\d{4}-\d{2}-\d{2}T/.test(value) || Number.isNaN(Date.parse(value)))
    throw new ProblemException(400, 'VALIDATION_FAILED', `${field} must be an ISO-8601 date-time such as 2026-12-01T00:00:00Z`, field);
  return new Date(value).toISOString();
};

/** Auditors query events across cards: by actor, correlation id, causation, type, account, card and time. */
@ApiTags('audit')
@ApiBearerAuth('bearer')
@Controller('v1/audit')
export class AuditController {
  constructor(private readonly queries: QueryBus) {}

  @Get('events/:id/proof')
  @Allow(['auditor'])
  @ApiQuery({ name: 'size', required: false, description: 'the tree size of a signed checkpoint you hold; default: the whole log now' })
  proof(@Param('id') id: string, @QueryParam('size') size?: string) {
    if (size !== undefined && !/^[1-9]\d{0,11}$/.test(size))
      throw new ProblemException(400, 'VALIDATION_FAILED', 'size must be a tree size: a whole number from 1', 'size');
    return this.queries.execute(new EventProofQuery(uuidParam(id, 'id'), size === undefined ? undefined : Number(size)));
  }

  @Get('events')
  @Allow(['auditor'])
  @ApiQuery({ name: 'actor', required: false, description: 'account:<id>, staff:<id>, client:<id> or system:<name>' })
  @ApiQuery({ name: 'correlationId', required: false })
  @ApiQuery({ name: 'causationId', required: false, description: 'the events this event or command caused' })
  @ApiQuery({ name: 'type', required: false, description: 'an event type such as PaymentCaptured' })
  @ApiQuery({ name: 'accountId', required: false, description: "the account's own events and its cards'" })
  @ApiQuery({ name: 'subscriptionId', required: false })
  @ApiQuery({ name: 'from', required: false, description: 'recorded at or after (ISO-8601)' })
  @ApiQuery({ name: 'to', required: false, description: 'recorded before (ISO-8601)' })
  @ApiQuery({ name: 'after', required: false, description: "the previous page's next" })
  @ApiQuery({ name: 'limit', required: false, description: '1–1000, default 100' })
  events(
    @QueryParam('actor') actor?: string,
    @QueryParam('correlationId') correlationId?: string,
    @QueryParam('causationId') causationId?: string,
    @QueryParam('type') type?: string,
    @QueryParam('accountId') accountId?: string,
    @QueryParam('subscriptionId') subscriptionId?: string,
    @QueryParam('from') from?: string,
    @QueryParam('to') to?: string,
    @QueryParam('after') after?: string,
    @QueryParam('limit') limit?: string,
  ) {
    const text = { actor, correlationId, causationId, type };
    for (const name of FILTERS) {
      const v = text[name];
      if (v !== undefined && !TEXT.test(v))
        throw new ProblemException(400, 'VALIDATION_FAILED', `${name} must be 1–200 characters of A–Z a–z 0–9 . _ : @ -`, name);
    }
    if (limit !== undefined && !/^\d{1,4}$/.test(limit))
      throw new ProblemException(400, 'VALIDATION_FAILED', 'limit must be a whole number from 1 to 1000', 'limit');
    const size = limit === undefined ? 100 : Number(limit);
    if (size < 1 || size > 1000)
      throw new ProblemException(400, 'VALIDATION_FAILED', 'limit must be a whole number from 1 to 1000', 'limit');
    return this.queries.execute(
      new AuditEventsQuery({
        ...text,
        accountId: accountId === undefined ? undefined : uuidParam(accountId, 'accountId'),
        subscriptionId: subscriptionId === undefined ? undefined : uuidParam(subscriptionId, 'subscriptionId'),
        from: time(from, 'from'),
        to: time(to, 'to'),
        after: parsePosition(after, 'after'),
        limit: size,
      }),
    );
  }
}
