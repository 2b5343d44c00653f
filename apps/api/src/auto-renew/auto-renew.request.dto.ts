import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsInt, IsNotEmpty, IsObject, IsString, Matches, Max, MaxLength, Min, ValidateNested } from 'class-validator';

export class SavedPaymentMethodDto {
  @ApiProperty({
    enum: ['card', 'apple_pay'],
    description: 'PayPal needs the owner to approve each payment, so it cannot renew unattended',
  })
  @IsIn(['card', 'apple_pay'], { message: 'paymentMethod.type must be card or apple_pay: PayPal needs your approval each time' })
  type!: 'card' | 'apple_pay';

  @ApiProperty({ example: 'tok_visa', minLength: 1, maxLength: 200, description: "the provider's reusable token of the saved method" })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  token!: string;
}

export class AutoRenewRequestDto {
  @ApiProperty({ example: 'eu-monthly-10gb', pattern: '^[a-z0-9-]{1,64}$' })
  @IsString()
  @Matches(/^[a-z0-9-]{1,64}$/, { message: 'planId must be a plan id such as eu-monthly-10gb' })
  planId!: string;

  @ApiProperty({ type: SavedPaymentMethodDto })
  @IsDefined({ message: 'paymentMethod is required: {type, token}' })
  @IsObject({ message: 'paymentMethod must be an object {type, token}, not an array or a scalar' })
  @ValidateNested()
  @Type(() => SavedPaymentMethodDto)
  paymentMethod!: SavedPaymentMethodDto;

  @ApiProperty({
    example: 5000,
    minimum: 1,
    maximum: 10_000_000,
    description: "at most this much a calendar month (UTC), in the plan's currency's minor units",
  })
  @IsInt({ message: 'monthlyCapMinor must be a whole number of minor units' })
  @Min(1, { message: 'monthlyCapMinor must be at least 1' })
  @Max(10_000_000, { message: 'monthlyCapMinor must be at most 10000000' })
  monthlyCapMinor!: number;
}
