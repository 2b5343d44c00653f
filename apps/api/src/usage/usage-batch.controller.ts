import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { FastifyRequest } from 'fastify';
import { Allow } from '../auth/access.decorator';
import { requestContext } from '../http/request-context';
import { RecordUsageBatchCommand } from './record-usage-batch.handler';
import { UsageBatchRequestDto } from './usage-batch.request.dto';

@ApiTags('usage')
@ApiBearerAuth('bearer')
@Controller('v1/usage')
export class UsageBatchController {
  constructor(private readonly commands: CommandBus) {}

  /** The network's bulk feed; 200 with one result per record, in the order sent. */
  @Post()
  @HttpCode(200)
  @Allow(['client'], 'usage:record')
  record(@Body() body: UsageBatchRequestDto, @Req() req: FastifyRequest) {
    return this.commands.execute(new RecordUsageBatchCommand(body.records, requestContext(req)));
  }
}
