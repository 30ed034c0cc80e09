import { DomainViolation, RoutingPolicy, parseResolvedRoutingPolicy, resolvedRoutingPolicyViolations } from '@strata/domain';

/**
 * The payload of `io.strata.routing.config.published.v1` (schema in
 * libs/contracts/src/events/routing-events.ts), as the gateway's loader API takes it.
 */
export interface RoutingPolicyUpdate {
  stack: string;
  environment: string;
  version: number;
  config: unknown;
}

export interface ValidRoutingPolicyUpdate extends RoutingPolicyUpdate {
  config: RoutingPolicy;
}

/** ACK and NACK payloads, shaped as `io.strata.routing.config.applied.v1` / `.rejected.v1`. */
export type RoutingPolicyOutcome =
  | { outcome: 'applied'; stack: string; environment: string; version: number; gatewayId: string }
  | {
      outcome: 'rejected';
      stack: string;
      environment: string;
      version: number;
      gatewayId: string;
      reason: string;
      violations: DomainViolation[];
      keptVersion: number | null;
    };

/** Every violation of an update: its envelope, then the routing config with `config.` paths. */
export function routingPolicyUpdateViolations(update: unknown): DomainViolation[] {
  if (typeof update !== 'object' || update === null || Array.isArray(update)) {
    return [{ field: '', message: 'must be an object {stack, environment, version, config}' }];
  }
  const fields = update as Record<string, unknown>;
  const violations: DomainViolation[] = [];
  for (const field of ['stack', 'environment'] as const) {
    const value = fields[field];
    if (typeof value !== 'string' || value.length === 0 || value.length > 63) {
      violations.push({ field, message: 'must be a name of 1 to 63 characters' });
    }
  }
  const version = fields['version'];
  if (typeof version !== 'number' || !Number.isSafeInteger(version) || version < 1) {
    violations.push({ field: 'version', message: 'must be a positive integer' });
  }
  for (const violation of resolvedRoutingPolicyViolations(fields['config'])) {
    violations.push({ field: violation.field === '' ? 'config' : `config.${violation.field}`, message: violation.message });
  }
  return violations;
}

export function parseRoutingPolicyUpdate(update: RoutingPolicyUpdate): ValidRoutingPolicyUpdate {
  return { stack: update.stack, environment: update.environment, version: update.version, config: parseResolvedRoutingPolicy(update.config) };
}
