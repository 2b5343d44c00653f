import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Matches, MaxLength, MinLength } from 'class-validator';

const E164 = /^\+[1-9]\d{6,14}$/;

class PhoneDto {
  @ApiProperty({ example: '+491701234567', description: 'E.164; stored sealed, outside the event log', pattern: '^\\+[1-9][0-9]{6,14}$' })
  @IsString()
  @Matches(E164, { message: 'phoneNumber must be in E.164 format, e.g. +491701234567' })
  phoneNumber!: string;
}

class PasswordFields extends PhoneDto {
  @ApiProperty({ minLength: 8, maxLength: 256, description: 'at least 8 characters (NIST SP 800-63B); any characters' })
  @IsString()
  @MinLength(8, { message: 'password must be at least 8 characters' })
  @MaxLength(256)
  password!: string;
}

export class RegisterRequestDto extends PhoneDto {}

export class LoginRequestDto extends PasswordFields {}

export class RequestCodeDto extends PhoneDto {}

export class VerifyRequestDto extends PasswordFields {
  @ApiProperty({ example: '123456', pattern: '^[0-9]{6}$', description: 'the six-digit code texted to the phone' })
  @IsString()
  @Matches(/^\d{6}$/, { message: 'code must be the six digits texted to the phone' })
  code!: string;
}

export class ConfirmResetRequestDto extends VerifyRequestDto {}

export class RefreshRequestDto {
  @ApiProperty({ description: 'the refresh token from the last login or refresh', minLength: 20, maxLength: 200 })
  @IsString()
  @MinLength(20)
  @MaxLength(200)
  refreshToken!: string;
}

export class StaffLoginRequestDto {
  @ApiProperty({ example: 'alice', pattern: '^[a-z0-9._-]{3,64}$' })
  @Matches(/^[a-z0-9._-]{3,64}$/, { message: 'username must be 3–64 of a–z 0–9 . _ -' })
  username!: string;

  @ApiProperty({ minLength: 8, maxLength: 256 })
  @IsString()
  @MinLength(8)
  @MaxLength(256)
  password!: string;
}

export class ClientTokenRequestDto {
  @ApiProperty({ enum: ['client_credentials'] })
  @IsIn(['client_credentials'], { message: 'grant_type must be client_credentials' })
  grant_type!: 'client_credentials';

  @ApiProperty({ format: 'uuid' })
  @Matches(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, {
    message: 'client_id must be the UUID the staff CLI printed',
  })
  client_id!: string;

  @ApiProperty({ minLength: 20, maxLength: 200 })
  @IsString()
  @MinLength(20)
  @MaxLength(200)
  client_secret!: string;
}
