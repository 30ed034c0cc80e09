/** Where a scenario's gateway listens, keeps its last-known-good policy and which stack it serves. */
export interface GatewayPlacement {
  port: string;
  adminPort: string;
  gatewayId: string;
  stateDir: string;
  stack: string;
}

/** A gateway process's settings beside the scenario's shared ones (bus, database): production of one stack. */
export function gatewayEnvironment(common: Record<string, string>, placement: GatewayPlacement): Record<string, string> {
  return {
    ...common,
    HOST: '127.0.0.1',
    PORT: placement.port,
    STRATA_GATEWAY_ADMIN_PORT: placement.adminPort,
    STRATA_GATEWAY_ID: placement.gatewayId,
    STRATA_GATEWAY_STATE_DIR: placement.stateDir,
    STRATA_GATEWAY_STACK: placement.stack,
    STRATA_GATEWAY_ENVIRONMENT: 'production',
  };
}
