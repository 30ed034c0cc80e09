import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { RoutingPolicy } from '../routing/routing-policy';

/** Total weight a rollout splits between the canary and the stable config (weights are percentages). */
const TOTAL_WEIGHT = 100;

function requireCanary(config: RoutingPolicy, canary: string): void {
  if (!config.stackConfigs.some((stackConfig) => stackConfig.name === canary)) {
    throw new DomainError(DomainErrorCode.PreconditionFailed, `the routing policy has no stack config '${canary}' (with its nodes) to send canary traffic to`);
  }
  if (config.stableConfig === canary) {
    throw new DomainError(DomainErrorCode.PreconditionFailed, `'${canary}' is already the stable config`);
  }
}

/**
 * The routing config with `weight` % of weighted traffic on the canary and the rest on the stable
 * config; other configs get no weighted traffic while a canary runs, so its comparison is clean.
 * Rules, stickiness, mirroring and the rest are kept.
 */
export function withCanaryWeight(config: RoutingPolicy, canary: string, weight: number): RoutingPolicy {
  requireCanary(config, canary);
  if (weight === TOTAL_WEIGHT) {
    return promoteCanary(config, canary);
  }
  return {
    ...config,
    stackConfigs: config.stackConfigs.map((stackConfig) => ({
      ...stackConfig,
      weight: stackConfig.name === canary ? weight : stackConfig.name === config.stableConfig ? TOTAL_WEIGHT - weight : 0,
    })),
  };
}

/** The canary becomes the stable config with all weighted traffic; the old stable stays listed for retries to drain. */
export function promoteCanary(config: RoutingPolicy, canary: string): RoutingPolicy {
  requireCanary(config, canary);
  return {
    ...config,
    stableConfig: canary,
    stackConfigs: config.stackConfigs.map((stackConfig) => ({ ...stackConfig, weight: stackConfig.name === canary ? TOTAL_WEIGHT : 0 })),
    // Mirroring to the config that is now stable would count mirrored traffic as real.
    ...(config.mirror?.stackConfig === canary ? { mirror: undefined } : {}),
  };
}
