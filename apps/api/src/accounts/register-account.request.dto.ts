import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';

export class RegisterAccountRequestDto {
  @ApiProperty({ example: '+491701234567', description: 'E.164; kept out of the event log', pattern: '^\\+[1-9][0-9]{6,14}$' })
  @IsString()
  @Matches(/^\+[1-9]\d{6,14}$/, { message: 'phoneNumber must be in E.164 format, e.g. +491701234567' })
  phoneNumber!: string;
}
