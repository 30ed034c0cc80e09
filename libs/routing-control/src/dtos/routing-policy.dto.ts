import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ROUTING_LIMITS, ROUTING_POLICY_SCHEMA } from '@strata/domain';
import { ArrayMaxSize, IsArray, IsNumber, IsObject, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { RoutingPolicySources } from '@strata/domain';
import { LimitQueryDto, apiSchema } from '@strata/observability';
import { GatewayStatus, PolicyStatus } from '../services/routing-policies.service';
import { RoutingPolicyEntity } from '../entities/routing-policy.entity';

const POLICY = ROUTING_POLICY_SCHEMA.properties ?? {};

/**
 * A routing policy as operators write it. The top level is checked here; every nested field by
 * the domain's routing-config validator, whose violations name the full path
 * (`stackConfigs[1].nodes[0].url`), and the groups against the registry's. The document shows
 * the domain's schema of each field (ROUTING_POLICY_SCHEMA), limits included.
 */
export class PutRoutingPolicyDto {
  @ApiProperty(apiSchema(POLICY['component']))
  @IsString()
  @MaxLength(63)
  component!: string;

  @ApiProperty(apiSchema(POLICY['stableConfig']))
  @IsString()
  @MaxLength(200)
  stableConfig!: string;

  @ApiProperty(
    apiSchema(POLICY['stackConfigs'], {
      description: 'Version groups deployed to the environment, their weights and backend nodes: pinned (listed) or discovered from the registry (nodes omitted)',
      example: [
        { name: 'checkout-2026.11.2', weight: 90 },
        { name: 'checkout-2026.11.3', weight: 10, nodes: [{ id: 'api-canary-1', url: 'http://10.0.0.9:8080', version: '2.4.0' }] },
      ],
    }),
  )
  @IsArray()
  @ArrayMaxSize(ROUTING_LIMITS.stackConfigs)
  stackConfigs!: object[];

  @ApiPropertyOptional(apiSchema(POLICY['rules'], { example: [{ match: { header: 'x-canary', value: '1' }, stackConfig: 'checkout-2026.11.3' }] }))
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(ROUTING_LIMITS.rules)
  rules?: object[];

  @ApiPropertyOptional(apiSchema(POLICY['stickiness'], { example: { cookie: 'session' } }))
  @IsOptional()
  @IsObject()
  stickiness?: object;

  @ApiPropertyOptional(apiSchema(POLICY['retryBudget'], { example: { ratio: 0.2, minRetriesPerSecond: 10 } }))
  @IsOptional()
  @IsObject()
  retryBudget?: object;

  @ApiPropertyOptional(apiSchema(POLICY['mirror'], { example: { stackConfig: 'checkout-staging', sampleRate: 0.05 } }))
  @IsOptional()
  @IsObject()
  mirror?: object;

  @ApiPropertyOptional(apiSchema(POLICY['networkPolicy'], { description: 'The network-policy spec enforced by the gateway' }))
  @IsOptional()
  @IsObject()
  networkPolicy?: object;

  @ApiPropertyOptional(apiSchema(POLICY['outlierDetection'], { example: { consecutiveFailures: 5, baseEjectionMs: 1000, maxEjectionMs: 30000 } }))
  @IsOptional()
  @IsObject()
  outlierDetection?: object;

  @ApiPropertyOptional(apiSchema(POLICY['healthCheck'], { example: { path: '/healthz', intervalMs: 5000 } }))
  @IsOptional()
  @IsObject()
  healthCheck?: object;
}

export class PolicyHistoryQueryDto extends LimitQueryDto {}

/** Mirroring of the policy's requests to one of its stack configs; checked by the policy's validator, which names `mirror.*`. */
export class PutMirrorDto {
  @ApiProperty({ example: 'checkout-staging', description: "A stack config of the policy with its nodes, e.g. at weight 0: it receives copies whose responses the gateway discards. The stable one only with nodeWeights (proposed weights tried on copies)" })
  @IsString()
  @MaxLength(200)
  stackConfig!: string;

  @ApiProperty({ example: 0.05, minimum: 0, maximum: 1, description: 'Fraction of the requests without a body copied to it' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  sampleRate!: number;

  @ApiPropertyOptional(apiSchema(POLICY['mirror']?.properties?.['compareBodies'], { example: { ignoreFields: ['**.requestId', 'updatedAt'], maxBytes: 65536 } }))
  @IsOptional()
  @IsObject()
  compareBodies?: object;

  @ApiPropertyOptional(apiSchema(POLICY['mirror']?.properties?.['until']))
  @IsOptional()
  @IsString()
  @MaxLength(40)
  until?: string;

  @ApiPropertyOptional(apiSchema(POLICY['mirror']?.properties?.['nodeWeights'], { example: { '10.0.0.5:8080': 20, '10.0.0.6:8080': 80 } }))
  @IsOptional()
  @IsObject()
  nodeWeights?: object;
}

export class RoutingPolicyResponseDto {
  @ApiProperty() stack!: string;
  @ApiProperty() environment!: string;
  @ApiProperty({ description: 'Increases by one with every change of this stack and environment' }) version!: number;
  @ApiProperty({ description: 'The routing config pushed to gateways, defaults and discovered nodes filled in' }) config!: Record<string, unknown>;
  @ApiProperty({ type: [String], example: ['checkout-2026.11.2'], description: 'The stack configs whose nodes routing-control discovers (the others are pinned)' })
  discoveredStackConfigs!: string[];
  @ApiProperty({
    type: 'object',
    nullable: true,
    additionalProperties: true,
    description: 'Where each part came from when derived from deployed layers: stackConfigs (the version group), routes and stickiness (the lb-rule version), networkPolicy (the network-policy version), operator (fields kept from the operator). Null: written by an operator',
  })
  sources!: RoutingPolicySources | null;
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
    sources: policy.sources ?? null,
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
