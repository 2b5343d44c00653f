import { ApiProperty } from '@nestjs/swagger';
import { IsInt, Matches, Max, Min } from 'class-validator';

export class RecordUsageRequestDto {
  @ApiProperty({
    example: 'cdr-2026-11-25-0001',
    description: 'The network usage record id; recording it twice counts once',
    pattern: '^[A-Za-z0-9._:-]{1,128}$',
  })
  @Matches(/^[A-Za-z0-9._:-]{1,128}$/, { message: 'usageId must be 1–128 characters of A–Z a–z 0–9 . _ : -' })
  usageId!: string;

  @ApiProperty({ example: 250, type: 'integer', minimum: 1, maximum: 10_000_000 })
  @IsInt({ message: 'mb must be a whole number of megabytes' })
  @Min(1)
  @Max(10_000_000)
  mb!: number;
}
