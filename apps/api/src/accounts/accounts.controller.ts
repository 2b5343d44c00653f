import { Body, Controller, HttpCode, Post, Req } from '@nestjs/common';
import { CommandBus } from '@nestjs/cqrs';
import { ApiCreatedResponse, ApiTags } from '@nestjs/swagger';
import { FastifyRequest } from 'fastify';
import { requestContext } from '../http/request-context';
import { RegisterAccountCommand } from './register-account.handler';
import { RegisterAccountRequestDto } from './register-account.request.dto';

@ApiTags('accounts')
@Controller('v1/accounts')
export class AccountsController {
  constructor(private readonly commands: CommandBus) {}

  @Post()
  @HttpCode(201)
  @ApiCreatedResponse({ description: '{ accountId, position }' })
  register(@Body() body: RegisterAccountRequestDto, @Req() req: FastifyRequest) {
    return this.commands.execute(new RegisterAccountCommand(body.phoneNumber, requestContext(req)));
  }
}
