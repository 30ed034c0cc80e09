import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { CanDeployAnswer, VersionConflict } from '@strata/domain';
import { DeploymentEntity, DeploymentLocation, DeploymentStatus } from '../entities/deployment.entity';
import { NodeEntity } from '../entities/node.entity';
import { VersionGroupEntity } from '../entities/version-group.entity';
import { VersionMapChangeEntity } from '../entities/version-map-change.entity';
import { VersionMapView } from '../services/deployments.service';

const LOCATIONS: DeploymentLocation[] = ['staging', 'production'];
const STATUSES: DeploymentStatus[] = ['deploying', 'healthy', 'degraded', 'failed', 'rolled-back'];

export class MemberDto {
  @ApiProperty({ example: 'checkout-api' }) @IsString() @MaxLength(63) component!: string;
  @ApiProperty({ example: '2.4.0' }) @IsString() @MaxLength(256) version!: string;
}

export class CreateVersionGroupDto {
  @ApiProperty({ example: 'checkout-2026.11.3' }) @IsString() @MinLength(1) @MaxLength(200) name!: string;
  @ApiProperty({ example: 'production', description: 'Validated against what stays deployed there' }) @IsString() @MaxLength(63) environment!: string;
  @ApiProperty({ type: [MemberDto] }) @ValidateNested({ each: true }) @Type(() => MemberDto) @ArrayMaxSize(500) members!: MemberDto[];
}

export class CompatibilityRequestDto {
  @ApiProperty({ example: 'checkout' }) @IsString() @MaxLength(63) stack!: string;
  @ApiProperty({ example: 'production' }) @IsString() @MaxLength(63) environment!: string;
  @ApiProperty({ type: [MemberDto] }) @ValidateNested({ each: true }) @Type(() => MemberDto) @ArrayMaxSize(500) members!: MemberDto[];
}

export class RecordDeploymentDto {
  @ApiProperty({ example: 'checkout' }) @IsString() @MaxLength(63) stack!: string;
  @ApiProperty({ example: 'checkout-2026.11.3' }) @IsString() @MaxLength(200) versionGroup!: string;
  @ApiProperty({ enum: LOCATIONS }) @IsIn(LOCATIONS) location!: DeploymentLocation;
}

export class SetStatusDto {
  @ApiProperty({ enum: STATUSES }) @IsIn(STATUSES) status!: DeploymentStatus;
  @ApiProperty({ example: 'health check answered 200' }) @IsString() @MinLength(1) @MaxLength(2000) reason!: string;
}

export class HistoryQueryDto {
  @ApiPropertyOptional({ default: 100, minimum: 1, maximum: 1000 }) @IsOptional() @Type(() => Number) @IsInt() @Min(1) @Max(1000) limit = 100;
}

export class VersionGroupResponseDto {
  @ApiProperty() stack!: string;
  @ApiProperty() name!: string;
  @ApiProperty() environment!: string;
  @ApiProperty({ type: [MemberDto] }) members!: MemberDto[];
  @ApiProperty() createdBy!: string;
  @ApiProperty() createdAt!: string;
}

export class CompatibilityResponseDto {
  @ApiProperty({ enum: ['yes', 'no', 'unknown'] }) answer!: 'yes' | 'no' | 'unknown';
  @ApiProperty({ type: [String], description: 'Why not' }) reasons!: string[];
  @ApiProperty({ type: [String], description: 'What must be known before answering yes' }) missing!: string[];
  @ApiProperty({ description: 'Each conflict, machine-readable' }) conflicts!: VersionConflict[];
}

export class NodeResponseDto {
  @ApiProperty() address!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) declaredVersion!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) discoveredVersion!: string | null;
  @ApiProperty({ description: 'Declared and discovered versions differ' }) versionMismatch!: boolean;
  @ApiProperty({ enum: ['healthy', 'unhealthy', 'unknown'] }) health!: string;
  @ApiProperty() resources!: Record<string, number>;
  @ApiProperty() lastSeen!: string;
}

export class SlotResponseDto {
  @ApiProperty({ enum: LOCATIONS }) location!: DeploymentLocation;
  @ApiProperty() component!: string;
  @ApiProperty() type!: string;
  @ApiProperty() version!: string;
  @ApiProperty({ enum: STATUSES }) status!: DeploymentStatus;
  @ApiProperty() since!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) healthSeenAt!: string | null;
  @ApiProperty({ type: [NodeResponseDto] }) nodes!: NodeResponseDto[];
}

export class VersionMapResponseDto {
  @ApiProperty() stack!: string;
  @ApiProperty() environment!: string;
  @ApiProperty({ type: [SlotResponseDto] }) slots!: SlotResponseDto[];
}

export class VersionMapChangeResponseDto {
  @ApiProperty() location!: string;
  @ApiProperty() component!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) fromVersion!: string | null;
  @ApiProperty() toVersion!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) fromStatus!: string | null;
  @ApiProperty() toStatus!: string;
  @ApiProperty() actor!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) reason!: string | null;
  @ApiProperty() changedAt!: string;
}

export function mapVersionGroup(group: VersionGroupEntity): VersionGroupResponseDto {
  return {
    stack: group.stack.name,
    name: group.name,
    environment: group.environment,
    members: group.members.map((member) => ({ component: member.component.name, version: member.version })).sort((a, b) => a.component.localeCompare(b.component)),
    createdBy: group.createdBy,
    createdAt: group.createdAt.toISOString(),
  };
}

export function mapCompatibility(answer: CanDeployAnswer): CompatibilityResponseDto {
  return { answer: answer.answer, reasons: answer.reasons, missing: answer.missing, conflicts: answer.conflicts };
}

export function mapNode(node: NodeEntity): NodeResponseDto {
  return {
    address: node.address,
    declaredVersion: node.declaredVersion,
    discoveredVersion: node.discoveredVersion,
    versionMismatch: node.declaredVersion !== null && node.discoveredVersion !== null && node.declaredVersion !== node.discoveredVersion,
    health: node.health,
    resources: node.resources,
    lastSeen: node.lastSeen.toISOString(),
  };
}

function mapSlot(slot: DeploymentEntity, nodes: NodeEntity[]): SlotResponseDto {
  return {
    location: slot.location,
    component: slot.component.name,
    type: slot.component.type,
    version: slot.componentVersion.version,
    status: slot.status,
    since: slot.since.toISOString(),
    healthSeenAt: slot.healthSeenAt?.toISOString() ?? null,
    nodes: nodes.filter((node) => node.componentId === slot.componentId && node.location === slot.location).map(mapNode),
  };
}

export function mapVersionMap(view: VersionMapView): VersionMapResponseDto {
  const slots = [...view.slots].sort((a, b) => a.location.localeCompare(b.location) || a.component.name.localeCompare(b.component.name));
  return { stack: view.stack, environment: view.environment, slots: slots.map((slot) => mapSlot(slot, view.nodes)) };
}

export function mapVersionMapChange(change: VersionMapChangeEntity): VersionMapChangeResponseDto {
  return {
    location: change.location,
    component: change.component.name,
    fromVersion: change.fromVersion,
    toVersion: change.toVersion,
    fromStatus: change.fromStatus,
    toStatus: change.toStatus,
    actor: change.actor,
    reason: change.reason,
    changedAt: change.changedAt.toISOString(),
  };
}
