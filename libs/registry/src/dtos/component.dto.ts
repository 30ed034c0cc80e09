import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsArray, IsObject, IsOptional, IsString, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { ComponentVersionEntity } from '../entities/component-version.entity';
import { ComponentEntity } from '../entities/component.entity';
import { PageQueryDto } from '@strata/observability';

export class CreateComponentDto {
  @ApiProperty({ example: 'checkout-api' })
  @IsString()
  @MaxLength(63)
  name!: string;

  @ApiProperty({ example: 'checkout' })
  @IsString()
  @MaxLength(63)
  stack!: string;

  @ApiProperty({ example: 'app', description: 'A registered component type: app, db-schema, lb-rule, network-policy, api-contract, infra-config, …' })
  @IsString()
  @MaxLength(63)
  type!: string;

  @ApiPropertyOptional({ example: { databaseUrlFrom: 'CHECKOUT_DB_URL' }, description: 'Where it lives, by reference; never a secret' })
  @IsOptional()
  @IsObject()
  target?: Record<string, unknown>;
}

export class ComponentQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'Only components of this stack' })
  @IsOptional()
  @IsString()
  @MaxLength(63)
  stack?: string;
}

export class BreakingOverrideDto {
  @ApiProperty({ description: 'Why breaking dependents is acceptable; recorded with the version and its event' })
  @IsString()
  @MinLength(10)
  @MaxLength(2000)
  reason!: string;
}

export class RegisterComponentVersionDto {
  @ApiProperty({ example: '2.4.0', description: 'SemVer 2.0' })
  @IsString()
  @MaxLength(256)
  version!: string;

  @ApiPropertyOptional({ example: [{ component: 'checkout-db', range: '>=14.1.0 <15.0.0' }] })
  @IsOptional()
  @IsArray()
  dependencies?: unknown[];

  @ApiPropertyOptional({ example: { replicas: 3, requestTimeout: '2s' } })
  @IsOptional()
  @IsObject()
  config?: Record<string, unknown>;

  @ApiPropertyOptional({ example: [{ routing: { restore: 'previous' } }], description: 'Ordered actions: sql, http, routing, event' })
  @IsOptional()
  @IsArray()
  rollback?: unknown[];

  @ApiPropertyOptional({ example: { url: 'http://{node}/healthz', expectStatus: 200, timeout: '1s', interval: '5s' } })
  @IsOptional()
  @IsObject()
  healthCheck?: Record<string, unknown>;

  @ApiPropertyOptional({ description: "The type's own fields, e.g. app: artifact, port; db-schema: up, down" })
  @IsOptional()
  @IsObject()
  spec?: Record<string, unknown>;

  @ApiPropertyOptional({ type: BreakingOverrideDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => BreakingOverrideDto)
  breakingOverride?: BreakingOverrideDto;
}

export class ComponentResponseDto {
  @ApiProperty() name!: string;
  @ApiProperty() stack!: string;
  @ApiProperty() type!: string;
  @ApiProperty() target!: Record<string, unknown>;
  @ApiProperty() createdAt!: string;
}

export class ComponentPageDto {
  @ApiProperty({ type: [ComponentResponseDto] }) items!: ComponentResponseDto[];
  @ApiPropertyOptional({ nullable: true, type: String }) nextCursor!: string | null;
}

export class ComponentVersionResponseDto {
  @ApiProperty() component!: string;
  @ApiProperty() type!: string;
  @ApiProperty() version!: string;
  @ApiProperty() dependencies!: unknown[];
  @ApiProperty() config!: Record<string, unknown>;
  @ApiProperty() rollback!: unknown[];
  @ApiPropertyOptional({ nullable: true }) healthCheck!: unknown;
  @ApiProperty() spec!: unknown;
  @ApiProperty({ description: 'sha256 of the canonical content' }) checksum!: string;
  @ApiPropertyOptional({ nullable: true }) breakingOverride!: unknown;
  @ApiProperty() registeredBy!: string;
  @ApiProperty() createdAt!: string;
}

export function mapComponent(component: ComponentEntity): ComponentResponseDto {
  return { name: component.name, stack: component.stack.name, type: component.type, target: component.target, createdAt: component.createdAt.toISOString() };
}

export function mapComponentVersion(version: ComponentVersionEntity): ComponentVersionResponseDto {
  return {
    component: version.component.name,
    type: version.component.type,
    version: version.version,
    dependencies: version.dependencies,
    config: version.config,
    rollback: version.rollback,
    healthCheck: version.healthCheck,
    spec: version.spec,
    checksum: version.checksum,
    breakingOverride: version.breakingOverride,
    registeredBy: version.registeredBy,
    createdAt: version.createdAt.toISOString(),
  };
}
