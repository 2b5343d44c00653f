import { ApiProperty } from '@nestjs/swagger';
import { IsInt, IsString, Matches, Max, Min } from 'class-validator';

export class RefundRequestDto {
  @ApiProperty({ example: 500, minimum: 1, description: 'minor units of the renewal’s currency; at most what is still unrefunded' })
  @IsInt({ message: 'amountMinor must be a whole number of minor units' })
  @Min(1, { message: 'amountMinor must be at least 1' })
  @Max(100_000_000, { message: 'amountMinor must be at most 100000000' })
  amountMinor!: number;

  @ApiProperty({ example: 'customer_request', pattern: '^[a-z0-9_]{1,64}$' })
  @IsString()
  @Matches(/^[a-z0-9_]{1,64}$/, { message: 'reason must be 1–64 characters of a–z, 0–9 and _' })
  reason!: string;
}
