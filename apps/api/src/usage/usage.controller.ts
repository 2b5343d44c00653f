import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { Allow } from '../auth/access.decorator';
import { FastifyRequest } from 'fastify';
import { requestContext } from '../http/request-context';
import { uuidParam } from '../http/params';
import { RecordUsageCommand } from './record-usage.handler';
import { RecordUsageRequestDto } from './record-usage.request.dto';

@ApiTags('usage')
@ApiBearerAuth('bearer')
@Controller('v1/subscriptions/:id/usage')
export class UsageController {
  constructor(private readonly commands: CommandBus) {}

  /** Only the network's usage feed records usage: a machine client holding the usage:record scope. */
  @Post()
  @HttpCode(201)
  @Allow(['client'], 'usage:record')
  record(@Param('id') id: string, @Body() body: RecordUsageRequestDto, @Req() req: FastifyRequest) {
    return this.commands.execute(new RecordUsageCommand(uuidParam(id, 'subscriptionId'), body.usageId, body.mb, requestContext(req)));
  }
}
