import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsDefined, IsIn, IsNotEmpty, IsObject, IsOptional, IsString, Matches, MaxLength, ValidateNested } from 'class-validator';
import { PaymentMethodType } from '@ledger/domain';

export class PaymentMethodDto {
  @ApiProperty({ enum: ['card', 'paypal', 'apple_pay'] })
  @IsIn(['card', 'paypal', 'apple_pay'])
  type!: PaymentMethodType;

  @ApiProperty({
    example: 'tok_visa',
    description: 'Provider token; sandbox: tok_decline… is declined, tok_insufficient… lacks funds',
    minLength: 1,
    maxLength: 200,
  })
  @IsString()
  @IsNotEmpty()
  @MaxLength(200)
  token!: string;
}

export class RenewSubscriptionRequestDto {
  @ApiProperty({ example: 'eu-monthly-10gb', pattern: '^[a-z0-9-]{1,64}$' })
  @IsString()
  @Matches(/^[a-z0-9-]{1,64}$/, { message: 'planId must be a plan id such as eu-monthly-10gb' })
  planId!: string;

  @ApiProperty({ type: PaymentMethodDto })
  @IsDefined({ message: 'paymentMethod is required: {type, token}' })
  // An array passes ValidateNested (each element is checked, none is required): say object.
  @IsObject({ message: 'paymentMethod must be an object {type, token}, not an array or a scalar' })
  @ValidateNested()
  @Type(() => PaymentMethodDto)
  paymentMethod!: PaymentMethodDto;

  @ApiPropertyOptional({ example: 'SAVE10', pattern: '^[A-Za-z0-9_-]{1,32}$' })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9_-]{1,32}$/, { message: 'promotionCode must be 1–32 letters, digits, - or _' })
  promotionCode?: string;
}
