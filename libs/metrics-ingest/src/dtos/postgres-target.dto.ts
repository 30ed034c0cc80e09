import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { PostgresTargetDefinition, PostgresTargetRecord } from '../repositories/postgres-targets.repository';
import { COLLECTOR_NAME, COLLECTOR_NAME_MESSAGE, CollectorStatusDto, mapCollectorStatus } from './collector-status.dto';

export const DEFAULT_SCRAPE_INTERVAL_MS = 60_000;

export class CreatePostgresTargetDto {
  @ApiProperty({ example: 'checkout-primary' }) @Matches(COLLECTOR_NAME, { message: COLLECTOR_NAME_MESSAGE }) @MaxLength(63) name!: string;

  @ApiPropertyOptional({ example: 'postgres://strata_monitor@db:5432/shop', description: 'Stored as given; prefer urlFrom for a URL with a password' })
  @IsOptional()
  @Matches(/^postgres(ql)?:\/\/\S+$/, { message: 'url must be a postgres:// or postgresql:// URL' })
  @MaxLength(2_000)
  url?: string;

  @ApiPropertyOptional({ example: 'CHECKOUT_DB_URL', description: 'Name of an environment variable of metrics-ingest holding the URL, read at each scrape (like a db-schema target.databaseUrlFrom)' })
  @IsOptional()
  @Matches(/^[A-Za-z_][A-Za-z0-9_]{0,127}$/, { message: 'urlFrom must be an environment variable name' })
  @MaxLength(128)
  urlFrom?: string;

  @ApiProperty({ example: 'checkout' }) @IsString() @MinLength(1) @MaxLength(63) stack!: string;
  @ApiProperty({ example: 'production' }) @IsString() @MinLength(1) @MaxLength(63) environment!: string;
  @ApiProperty({ example: 'checkout-db', description: 'The db-schema component' }) @IsString() @MinLength(1) @MaxLength(63) component!: string;
  @ApiPropertyOptional({ example: 'checkout@2026.11.3' }) @IsOptional() @IsString() @MinLength(1) @MaxLength(200) stackConfig?: string;

  @ApiPropertyOptional({ default: DEFAULT_SCRAPE_INTERVAL_MS, description: 'Milliseconds between scrapes (≥ 1000)' })
  @IsOptional()
  @IsInt()
  @Min(1_000)
  @Max(86_400_000)
  intervalMs?: number;
}

export class PostgresTargetResponseDto {
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String, description: 'With any password masked' }) url!: string | null;
  @ApiProperty({ nullable: true, type: String }) urlFrom!: string | null;
  @ApiProperty() stack!: string;
  @ApiProperty() environment!: string;
  @ApiProperty() component!: string;
  @ApiProperty({ nullable: true, type: String }) stackConfig!: string | null;
  @ApiProperty({ description: 'Statements in the baseline (the last successful scrape)' }) statementsTracked!: number;
  @ApiProperty({ type: CollectorStatusDto }) status!: CollectorStatusDto;
  @ApiProperty() createdAt!: string;
}

export class PostgresTargetPageDto {
  @ApiProperty({ type: [PostgresTargetResponseDto] }) items!: PostgresTargetResponseDto[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}

export function toPostgresTargetDefinition(dto: CreatePostgresTargetDto): PostgresTargetDefinition {
  return {
    name: dto.name,
    url: dto.url ?? null,
    urlFrom: dto.urlFrom ?? null,
    labels: { stack: dto.stack, environment: dto.environment, component: dto.component, ...(dto.stackConfig !== undefined ? { stackConfig: dto.stackConfig } : {}) },
    intervalMs: dto.intervalMs ?? DEFAULT_SCRAPE_INTERVAL_MS,
  };
}

/** A URL's password never leaves the service. */
export function maskPassword(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password === '') return url;
    parsed.password = '***';
    return parsed.toString();
  } catch {
    // Up to the last '@': a password may itself hold '@' when not percent-encoded.
    return url.replace(/^([^:]+:\/\/[^:/@]*:).*@/, '$1***@');
  }
}

export function mapPostgresTarget(target: PostgresTargetRecord): PostgresTargetResponseDto {
  return {
    name: target.name,
    url: target.url === null ? null : maskPassword(target.url),
    urlFrom: target.urlFrom,
    stack: target.labels.stack,
    environment: target.labels.environment,
    component: target.labels.component,
    stackConfig: target.labels.stackConfig ?? null,
    statementsTracked: target.baseline?.statements.size ?? 0,
    status: mapCollectorStatus(target.status),
    createdAt: target.createdAt.toISOString(),
  };
}
