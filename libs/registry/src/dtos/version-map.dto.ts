import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsIn, IsInt, IsOptional, IsString, Max, MaxLength, Min, MinLength, ValidateNested } from 'class-validator';
import { CanDeployAnswer, NodeVersionStatus, VersionConflict } from '@strata/domain';
import { VersionMapEntryEntity, VersionMapLocation, VersionMapStatus } from '../entities/version-map-entry.entity';
import { DeployedGroupEntity } from '../entities/deployed-group.entity';
import { NodeEntity, nodeUrl } from '../entities/node.entity';
import { VersionGroupEntity } from '../entities/version-group.entity';
import { VersionMapChangeEntity } from '../entities/version-map-change.entity';
import { VersionMapView } from '../services/version-map.service';
import { versionStatusOfNode } from '../services/node-version-status';

const LOCATIONS: VersionMapLocation[] = ['staging', 'production'];
const STATUSES: VersionMapStatus[] = ['deploying', 'deployed', 'healthy', 'degraded', 'failed', 'rolled-back'];

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
  @ApiProperty({ enum: LOCATIONS }) @IsIn(LOCATIONS) location!: VersionMapLocation;
}

export class SetStatusDto {
  @ApiProperty({ enum: STATUSES }) @IsIn(STATUSES) status!: VersionMapStatus;
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
  @ApiProperty({ example: 'http://10.0.3.7:8080', description: 'The origin gateways reach it at' }) url!: string;
  @ApiPropertyOptional({ nullable: true, type: String, description: 'Its own version when a deployed group expects it, else the slot\'s (or the newest group\'s)' })
  declaredVersion!: string | null;
  @ApiPropertyOptional({ nullable: true, type: String }) discoveredVersion!: string | null;
  @ApiProperty({ description: 'The discovered version is none of the versions the groups deployed to its location give its component' }) versionMismatch!: boolean;
  @ApiProperty({ type: [String], example: ['checkout-2026.11.2'], description: 'The deployed groups whose version of the component the node runs' }) versionGroups!: string[];
  @ApiProperty({ type: [String], example: ['2.4.0', '2.3.0'], description: 'Every version of the component expected in its location, newest group first' }) expectedVersions!: string[];
  @ApiProperty({ enum: ['healthy', 'unhealthy', 'unknown'] }) health!: string;
  @ApiProperty() resources!: Record<string, number>;
  @ApiProperty() lastSeen!: string;
}

export class VersionMapNodeDto extends NodeResponseDto {
  @ApiProperty({ enum: LOCATIONS }) location!: VersionMapLocation;
  @ApiProperty() component!: string;
}

export class DeployedGroupResponseDto {
  @ApiProperty({ enum: LOCATIONS }) location!: VersionMapLocation;
  @ApiProperty() versionGroup!: string;
  @ApiProperty({ type: [MemberDto] }) members!: MemberDto[];
  @ApiProperty() deployedAt!: string;
  @ApiProperty() deployedBy!: string;
}

export class VersionMapEntryDto {
  @ApiProperty({ enum: LOCATIONS }) location!: VersionMapLocation;
  @ApiProperty() component!: string;
  @ApiProperty() type!: string;
  @ApiProperty() version!: string;
  @ApiProperty({ enum: STATUSES }) status!: VersionMapStatus;
  @ApiProperty({ type: String, nullable: true, format: 'uuid', description: 'The execution of the rollback service that applied this slot; null: recorded for another tool (POST /v1/environments/{e}/deployments)' }) executionId!: string | null;
  @ApiProperty() since!: string;
  @ApiPropertyOptional({ nullable: true, type: String }) healthSeenAt!: string | null;
  @ApiProperty({ type: [NodeResponseDto] }) nodes!: NodeResponseDto[];
}

export class VersionMapResponseDto {
  @ApiProperty() stack!: string;
  @ApiProperty() environment!: string;
  @ApiProperty({ type: [VersionMapEntryDto], description: 'One per component and location: the version deployed last' }) slots!: VersionMapEntryDto[];
  @ApiProperty({
    type: [DeployedGroupResponseDto],
    description: 'The version groups deployed to each location and not retired, newest first: the stable and the canary group during a rollout',
  })
  deployedGroups!: DeployedGroupResponseDto[];
  @ApiProperty({ type: [VersionMapNodeDto], description: 'Every node with its discovered version, the deployed group(s) it runs and its health' }) nodes!: VersionMapNodeDto[];
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

export function mapNode(node: NodeEntity, status: NodeVersionStatus): NodeResponseDto {
  return {
    address: node.address,
    url: nodeUrl(node),
    declaredVersion: status.declaredVersion,
    discoveredVersion: node.discoveredVersion,
    versionMismatch: status.mismatch,
    versionGroups: status.versionGroups,
    expectedVersions: status.expectedVersions,
    health: node.health,
    resources: node.resources,
    lastSeen: node.lastSeen.toISOString(),
  };
}

function mapDeployedGroup(deployed: DeployedGroupEntity): DeployedGroupResponseDto {
  return {
    location: deployed.location,
    versionGroup: deployed.versionGroup.name,
    members: deployed.versionGroup.members.map((member) => ({ component: member.component.name, version: member.version })).sort((a, b) => a.component.localeCompare(b.component)),
    deployedAt: deployed.deployedAt.toISOString(),
    deployedBy: deployed.deployedBy,
  };
}

function mapVersionMapEntry(slot: VersionMapEntryEntity, nodes: NodeEntity[], nodeView: (node: NodeEntity) => NodeResponseDto): VersionMapEntryDto {
  return {
    location: slot.location,
    component: slot.component.name,
    type: slot.component.type,
    version: slot.componentVersion.version,
    status: slot.status,
    executionId: slot.executionId,
    since: slot.since.toISOString(),
    healthSeenAt: slot.healthSeenAt?.toISOString() ?? null,
    nodes: nodes.filter((node) => node.componentId === slot.componentId && node.location === slot.location).map(nodeView),
  };
}

export function mapVersionMap(view: VersionMapView): VersionMapResponseDto {
  const slots = [...view.slots].sort((a, b) => a.location.localeCompare(b.location) || a.component.name.localeCompare(b.component.name));
  const componentOf = (node: NodeEntity) => node.component?.name ?? slots.find((slot) => slot.componentId === node.componentId)?.component.name ?? node.componentId;
  const nodeView = (node: NodeEntity) => mapNode(node, versionStatusOfNode(node, componentOf(node), view.groups, view.slots));
  const nodes = [...view.nodes].sort((a, b) => a.location.localeCompare(b.location) || componentOf(a).localeCompare(componentOf(b)) || a.address.localeCompare(b.address));
  return {
    stack: view.stack,
    environment: view.environment,
    slots: slots.map((slot) => mapVersionMapEntry(slot, view.nodes, nodeView)),
    deployedGroups: [...view.groups].sort((a, b) => a.location.localeCompare(b.location) || b.deployedAt.getTime() - a.deployedAt.getTime()).map(mapDeployedGroup),
    nodes: nodes.map((node) => ({ location: node.location as VersionMapLocation, component: componentOf(node), ...nodeView(node) })),
  };
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
