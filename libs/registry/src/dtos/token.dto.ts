import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, Matches, MaxLength } from 'class-validator';
import { IsDateTime } from '@strata/observability';
import { ROLES, Role } from '@strata/domain';
import { TokenEntity } from '../entities/token.entity';

export class CreateTokenDto {
  @ApiProperty({ example: 'ci-deployer', description: 'Who the token speaks for; the audit trail records this name' })
  @Matches(/^[\w.@:/-]{1,128}$/, { message: 'principal must be 1 to 128 letters, digits or _.@:/-' })
  @MaxLength(128)
  principal!: string;

  @ApiProperty({ enum: ROLES, example: 'operator' })
  @IsIn(ROLES)
  role!: Role;

  @ApiPropertyOptional({ type: String, format: 'date-time', description: 'When the token stops working; never when absent' })
  @IsOptional()
  @IsDateTime()
  expiresAt?: Date;
}

export class ExpireTokenDto {
  @ApiProperty({ type: String, format: 'date-time', description: 'When the token stops working; a past time expires it now' })
  @IsDateTime()
  expiresAt!: Date;
}

/** A token as listed: never its secret nor its hash. */
export class TokenResponseDto {
  @ApiProperty() id!: string;
  @ApiProperty() principal!: string;
  @ApiProperty({ enum: ROLES }) role!: Role;
  @ApiProperty() createdAt!: string;
  @ApiProperty() createdBy!: string;
  @ApiProperty({ type: String, nullable: true }) expiresAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) revokedAt!: string | null;
  @ApiProperty({ type: String, nullable: true }) lastUsedAt!: string | null;
}

export class CreatedTokenResponseDto extends TokenResponseDto {
  @ApiProperty({ description: 'The bearer token itself. Shown this once: only its hash is kept.' })
  token!: string;
}

export class TokenPageDto {
  @ApiProperty({ type: [TokenResponseDto] }) items!: TokenResponseDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor!: string | null;
}

export function mapToken(token: TokenEntity): TokenResponseDto {
  return {
    id: token.id,
    principal: token.principal,
    role: token.role,
    createdAt: token.createdAt.toISOString(),
    createdBy: token.createdBy,
    expiresAt: token.expiresAt?.toISOString() ?? null,
    revokedAt: token.revokedAt?.toISOString() ?? null,
    lastUsedAt: token.lastUsedAt?.toISOString() ?? null,
  };
}
