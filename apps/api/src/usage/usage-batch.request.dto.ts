import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsDefined,
  IsISO8601,
  IsInt,
  IsObject,
  IsOptional,
  IsUUID,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';

/** The most records one request carries; with ~120 bytes a record it stays under the 64 KiB body limit. */
export const MAX_USAGE_BATCH = 500;

export class UsageBatchRecordDto {
  @ApiProperty({ format: 'uuid', description: 'The card the usage belongs to' })
  @IsUUID('all', { message: 'subscriptionId must be a UUID' })
  subscriptionId!: string;

  @ApiProperty({
    example: 'cdr-2026-11-25-0001',
    pattern: '^[A-Za-z0-9._:-]{1,128}$',
    description: 'The network usage record id; recording it twice counts once',
  })
  @Matches(/^[A-Za-z0-9._:-]{1,128}$/, { message: 'usageId must be 1–128 characters of A–Z a–z 0–9 . _ : -' })
  usageId!: string;

  @ApiProperty({ example: 250, type: 'integer', minimum: 1, maximum: 10_000_000 })
  @IsInt({ message: 'mb must be a whole number of megabytes' })
  @Min(1)
  @Max(10_000_000)
  mb!: number;

  @ApiProperty({
    required: false,
    format: 'date-time',
    description: 'When the network measured it (default: now). Expiry is judged at this time; at most 7 days old and 5 minutes ahead',
  })
  @IsOptional()
  @IsISO8601({ strict: true }, { message: 'measuredAt must be an ISO 8601 date-time' })
  measuredAt?: string;
}

export class UsageBatchRequestDto {
  @ApiProperty({ type: [UsageBatchRecordDto], minItems: 1, maxItems: MAX_USAGE_BATCH })
  @IsDefined()
  @IsArray({ message: 'records must be an array' })
  @ArrayMinSize(1)
  @ArrayMaxSize(MAX_USAGE_BATCH, { message: `records holds at most ${MAX_USAGE_BATCH} records` })
  @IsObject({ each: true, message: 'each record must be an object' })
  @ValidateNested({ each: true })
  @Type(() => UsageBatchRecordDto)
  records!: UsageBatchRecordDto[];
}
