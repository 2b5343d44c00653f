import { Body, Controller, HttpCode, Param, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiTags } from '@nestjs/swagger';
import { FastifyRequest } from 'fastify';
import { requestContext } from '../http/request-context';
import { uuidParam } from '../http/params';
import { RecordUsageCommand } from './record-usage.handler';
import { RecordUsageRequestDto } from './record-usage.request.dto';

@ApiTags('usage')
@Controller('v1/subscriptions/:id/usage')
export class UsageController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(201)
  record(@Param('id') id: string, @Body() body: RecordUsageRequestDto, @Req() req: FastifyRequest) {
    return this.commands.execute(new RecordUsageCommand(uuidParam(id, 'subscriptionId'), body.usageId, body.mb, requestContext(req)));
  }
}
