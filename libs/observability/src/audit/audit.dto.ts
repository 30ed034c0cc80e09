import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, MaxLength, MinLength } from 'class-validator';
import { IsDateTime } from '../http/date-time';
import { PageQueryDto } from '../http/page-query.dto';
import { AuditRecord } from './audit-log';

export class AuditQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: "The token's principal", maxLength: 200 })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(200)
  principal?: string;

  @ApiPropertyOptional({ description: 'A prefix of the action: a method, or a method and a route template', example: 'POST /v1/stacks', maxLength: 300 })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(300)
  action?: string;

  @ApiPropertyOptional({ description: 'A prefix of the path written to', example: '/v1/stacks/checkout', maxLength: 2000 })
  @IsOptional() @IsString() @MinLength(1) @MaxLength(2000)
  target?: string;

  @ApiPropertyOptional({ description: 'Writes at or after this instant (an RFC 3339 date-time: 2027-03-01T00:00:00Z)', type: String, format: 'date-time' })
  @IsOptional() @IsDateTime()
  since?: Date;

  @ApiPropertyOptional({ description: 'Writes before this instant (an RFC 3339 date-time)', type: String, format: 'date-time' })
  @IsOptional() @IsDateTime()
  until?: Date;
}

export class AuditRecordDto {
  @ApiProperty({ description: 'The service whose table holds the row', example: 'registry' }) service!: string;
  @ApiProperty({ description: 'Its id in that table' }) id!: string;
  @ApiProperty({ format: 'date-time' }) at!: string;
  @ApiProperty({ description: "The verified token's principal" }) principal!: string;
  @ApiProperty({ enum: ['viewer', 'operator', 'admin'] }) role!: string;
  @ApiProperty({ type: String, nullable: true, description: 'The issued token; null for STRATA_ADMIN_TOKEN' }) tokenId!: string | null;
  @ApiProperty({ example: 'POST /v1/stacks/:stack/environments' }) action!: string;
  @ApiProperty({ example: '/v1/stacks/checkout/environments' }) target!: string;
  @ApiProperty({ example: 201 }) status!: number;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' } }) params!: Record<string, string>;
  @ApiProperty({ type: 'object', additionalProperties: true }) query!: Record<string, unknown>;
  @ApiProperty({ description: 'The request body, secrets redacted; a non-JSON or large body as its size', nullable: true }) request!: unknown;
  @ApiProperty({ description: 'What the write answered (the state after it), secrets redacted', nullable: true }) after!: unknown;
  @ApiProperty({ type: String, nullable: true }) correlationId!: string | null;
}

export class AuditPageDto {
  @ApiProperty({ type: [AuditRecordDto] }) items!: AuditRecordDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `after` for the next (older) page' }) nextCursor!: string | null;
}

export function toAuditRecordDto(record: AuditRecord): AuditRecordDto {
  return { ...record, at: record.at.toISOString() };
}
