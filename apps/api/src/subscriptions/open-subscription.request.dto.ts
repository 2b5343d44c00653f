import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsUUID, Matches, ValidateIf } from 'class-validator';
import { REGIONS, Region } from '@ledger/domain';

export class OpenSubscriptionRequestDto {
  @ApiPropertyOptional({ format: 'uuid', description: "defaults to the caller's own account; any other answers 404" })
  // Absent means "mine"; null or anything else must be a UUID (IsOptional would let null through).
  @ValidateIf((o: { accountId?: unknown }) => o.accountId !== undefined)
  @IsUUID('all', { message: "accountId must be the caller's account id (a UUID)" })
  accountId?: string;

  @ApiProperty({ example: '8949020000012345678', description: 'SIM card ICCID: 19 or 20 digits', pattern: '^[0-9]{19,20}$' })
  @Matches(/^\d{19,20}$/, { message: 'iccid must be 19 or 20 digits' })
  iccid!: string;

  @ApiProperty({ enum: REGIONS })
  @IsIn(REGIONS as unknown as string[], { message: `region must be one of ${REGIONS.join(', ')}` })
  region!: Region;
}
