import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsArray, IsObject, IsOptional, IsString, MaxLength } from 'class-validator';
import { LimitQueryDto } from '@strata/observability';
import { GatewayStatus, PolicyStatus } from '../services/routing-policies.service';
import { RoutingPolicyEntity } from '../entities/routing-policy.entity';

/** For the OpenAPI document only: the domain's validator checks nodes (its violations name the full path). */
export class BackendNodeDto {
  @ApiProperty({ example: 'api-1', description: 'Unique across the policy; KPIs and outlier state are kept per node id' }) id!: string;
  @ApiProperty({ example: 'http://10.0.0.5:8080', description: 'An http(s) origin, no path' }) url!: string;
  @ApiPropertyOptional({ example: '2.3.0', description: 'The version the node should run; the gateway flags a node reporting another' }) version?: string;
}

/** For the OpenAPI document only, as BackendNodeDto. */
export class StackConfigRouteDto {
  @ApiProperty({ example: 'checkout-2026.11.2', description: 'A version group of the stack deployed to the environment' }) name!: string;
  @ApiProperty({ example: 90, minimum: 0, maximum: 1_000_000, description: 'Relative weight; 0 takes no traffic by weight' }) weight!: number;
  @ApiPropertyOptional({
    type: [BackendNodeDto],
    description:
      'Optional. Omitted or empty: the nodes are discovered — routing-control lists every node the registry knows (from heartbeats and discovery) for this ' +
      'stack, environment (production location) and the policy\'s component whose discovered version is that component\'s version in this version group, ' +
      'as {id: host:port, url: the heartbeat\'s url or http://host:port, version}, leaving out nodes the registry reports unhealthy unless none is healthy, and ' +
      'publishes a new policy version whenever that set changes. Listed: the nodes are pinned and used as given. A discovered stack config that takes ' +
      'traffic (a weight above 0, the stable config, a rule or mirror target) needs at least one node known to the registry.',
  })
  nodes?: BackendNodeDto[];
}

/**
 * A routing policy as operators write it. Only the shape of the top level is checked here; every
 * nested field is checked by the domain's routing-config validator, whose violations name the
 * full path (`stackConfigs[1].nodes[0].url`), and the groups are checked against the registry's.
 */
export class PutRoutingPolicyDto {
  @ApiProperty({ example: 'checkout-api', description: 'The component the gateway fronts' })
  @IsString()
  @MaxLength(63)
  component!: string;

  @ApiProperty({ example: 'checkout-2026.11.2', description: 'The baseline version group; failed idempotent canary requests retry on it' })
  @IsString()
  @MaxLength(200)
  stableConfig!: string;

  @ApiProperty({
    type: [StackConfigRouteDto],
    description: 'Version groups deployed to the environment, their weights and backend nodes: pinned (listed) or discovered from the registry (nodes omitted)',
    example: [
      { name: 'checkout-2026.11.2', weight: 90 },
      { name: 'checkout-2026.11.3', weight: 10, nodes: [{ id: 'api-canary-1', url: 'http://10.0.0.9:8080', version: '2.4.0' }] },
    ],
  })
  @IsArray()
  stackConfigs!: object[];

  @ApiPropertyOptional({ example: [{ match: { header: 'x-canary', value: '1' }, stackConfig: 'checkout-2026.11.3' }], description: 'header, cookie or pathPrefix → version group' })
  @IsOptional()
  @IsArray()
  rules?: object[];

  @ApiPropertyOptional({ example: { cookie: 'session' }, description: 'A header or cookie hashed to a stable choice' })
  @IsOptional()
  @IsObject()
  stickiness?: object;

  @ApiPropertyOptional({ example: { ratio: 0.2, minRetriesPerSecond: 10 } })
  @IsOptional()
  @IsObject()
  retryBudget?: object;

  @ApiPropertyOptional({ example: { stackConfig: 'checkout-staging', sampleRate: 0.05 }, description: 'A sample of requests copied to a staging config' })
  @IsOptional()
  @IsObject()
  mirror?: object;

  @ApiPropertyOptional({ description: 'The network-policy spec enforced by the gateway' })
  @IsOptional()
  @IsObject()
  networkPolicy?: object;

  @ApiPropertyOptional({ example: { consecutiveFailures: 5, baseEjectionMs: 1000, maxEjectionMs: 30000 } })
  @IsOptional()
  @IsObject()
  outlierDetection?: object;

  @ApiPropertyOptional({ example: { path: '/healthz', intervalMs: 5000 } })
  @IsOptional()
  @IsObject()
  healthCheck?: object;
}

export class PolicyHistoryQueryDto extends LimitQueryDto {}

export class RoutingPolicyResponseDto {
  @ApiProperty() stack!: string;
  @ApiProperty() environment!: string;
  @ApiProperty({ description: 'Increases by one with every change of this stack and environment' }) version!: number;
  @ApiProperty({ description: 'The routing config pushed to gateways, defaults and discovered nodes filled in' }) config!: Record<string, unknown>;
  @ApiProperty({ type: [String], example: ['checkout-2026.11.2'], description: 'The stack configs whose nodes routing-control discovers (the others are pinned)' })
  discoveredStackConfigs!: string[];
  @ApiProperty({ example: 'changed by an operator' }) reason!: string;
  @ApiProperty() createdBy!: string;
  @ApiProperty() createdAt!: string;
}

export class ViolationDto {
  @ApiProperty() field!: string;
  @ApiProperty() message!: string;
}

export class GatewayStatusDto {
  @ApiProperty() gatewayId!: string;
  @ApiProperty({ enum: ['in-sync', 'stale', 'rejected'] }) status!: GatewayStatus['status'];
  @ApiPropertyOptional({ nullable: true, type: Number }) appliedVersion!: number | null;
  @ApiPropertyOptional({ nullable: true, type: Number }) rejectedVersion!: number | null;
  @ApiPropertyOptional({ nullable: true, type: String }) rejectionReason!: string | null;
  @ApiProperty({ type: [ViolationDto] }) violations!: ViolationDto[];
  @ApiProperty() updatedAt!: string;
}

export class PolicyStatusDto {
  @ApiProperty() stack!: string;
  @ApiProperty() environment!: string;
  @ApiProperty({ description: 'The current policy version' }) version!: number;
  @ApiProperty({ type: [GatewayStatusDto], description: 'Every gateway that has answered for this stack and environment' }) gateways!: GatewayStatusDto[];
}

export function mapRoutingPolicy(policy: RoutingPolicyEntity & { discoveredStackConfigs?: string[] }): RoutingPolicyResponseDto {
  return {
    stack: policy.stack,
    environment: policy.environment,
    version: policy.version,
    config: { ...policy.config },
    discoveredStackConfigs: policy.discoveredStackConfigs ?? [],
    reason: policy.reason,
    createdBy: policy.createdBy,
    createdAt: policy.createdAt.toISOString(),
  };
}

export function mapPolicyStatus(status: PolicyStatus): PolicyStatusDto {
  return {
    stack: status.policy.stack,
    environment: status.policy.environment,
    version: status.policy.version,
    gateways: status.gateways.map(({ gateway, status: sync }) => ({
      gatewayId: gateway.gatewayId,
      status: sync,
      appliedVersion: gateway.appliedVersion,
      rejectedVersion: gateway.rejectedVersion,
      rejectionReason: gateway.rejectionReason,
      violations: gateway.violations,
      updatedAt: gateway.updatedAt.toISOString(),
    })),
  };
}
