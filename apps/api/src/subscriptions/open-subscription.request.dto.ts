import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsUUID, Matches } from 'class-validator';
import { REGIONS, Region } from '@ledger/domain';

export class OpenSubscriptionRequestDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID('all', { message: 'accountId must be the UUID returned by POST /v1/accounts' })
  accountId!: string;

  @ApiProperty({ example: '8949020000012345678', description: 'SIM card ICCID: 19 or 20 digits', pattern: '^[0-9]{19,20}$' })
  @Matches(/^\d{19,20}$/, { message: 'iccid must be 19 or 20 digits' })
  iccid!: string;

  @ApiProperty({ enum: REGIONS })
  @IsIn(REGIONS as unknown as string[], { message: `region must be one of ${REGIONS.join(', ')}` })
  region!: Region;
}
