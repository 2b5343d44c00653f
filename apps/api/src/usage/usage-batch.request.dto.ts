import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsArray, IsDefined, IsISO8601, IsObject, IsOptional, IsUUID, ValidateNested } from 'class-validator';
import { RecordUsageRequestDto } from './record-usage.request.dto';

/** The most records one request carries; with ~120 bytes a record it stays under the 64 KiB body limit. */
export const MAX_USAGE_BATCH = 500;

/** A record of the bulk feed: the single-record body (usageId, mb) plus its card and when it was measured. */
export class UsageBatchRecordDto extends RecordUsageRequestDto {
  @ApiProperty({ format: 'uuid', description: 'The card the usage belongs to' })
  @IsUUID('all', { message: 'subscriptionId must be a UUID' })
  subscriptionId!: string;

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
