import { GatewayFallbackChangedV1 } from '@strata/contracts';
import { RoutingMode, StackRouter } from '@strata/domain';
import { metricsRegistry } from '@strata/observability';
import { Counter, Gauge } from 'prom-client';
import { CompiledRoutingPolicy } from './compiled-routing-policy';

const ROUTING_MODES: readonly RoutingMode[] = ['normal', 'fallback', 'panic'];

const routingModeGauge = new Gauge({
  name: 'strata_gateway_routing_mode',
  help: 'Routing mode of the stack the gateway serves: 1 for the current one (normal; fallback: no stack config with a weight has an available node; panic: no stack config has one), 0 for the others',
  labelNames: ['stack', 'environment', 'mode'] as const,
  registers: [metricsRegistry],
});

const fallbackRequests = new Counter({
  name: 'strata_gateway_fallback_requests_total',
  help: 'Requests routed in fallback or panic mode, by mode and by the stack config that took them',
  labelNames: ['stack', 'environment', 'mode', 'stack_config'] as const,
  registers: [metricsRegistry],
});

/**
 * The stats sink of the routing mode (see StackRouter): a gauge of the mode, a counter of the
 * requests routed outside normal mode, and the change to publish when the mode or the configs
 * serving change. Only `countRequest` is on the request path; its counters are bound per stack
 * config when a routing is installed, so counting allocates nothing.
 */
export class RoutingModeReport {
  private mode: RoutingMode = 'normal';
  /** The mode, the configs serving and the configs without an available node, as last reported; a change of any is reported. */
  private reportedState = 'normal|';
  private counters: Record<Exclude<RoutingMode, 'normal'>, Counter.Internal[]> = { fallback: [], panic: [] };

  constructor(private readonly gatewayId: string) {}

  /** A routing is served from now on: binds its counters and reports its mode if that changed. */
  install(routing: CompiledRoutingPolicy): GatewayFallbackChangedV1 | undefined {
    const { stack, environment } = routing.update;
    // Each series starts at 0, so rate() sees the first fallback rather than the series appearing.
    const bind = (mode: Exclude<RoutingMode, 'normal'>): Counter.Internal[] =>
      routing.router.names.map((name) => {
        const counter = fallbackRequests.labels({ stack, environment, mode, stack_config: name });
        counter.inc(0);
        return counter;
      });
    this.counters = { fallback: bind('fallback'), panic: bind('panic') };
    this.setGauge(routing);
    return this.observe(routing, `routing config version ${routing.version} applied`);
  }

  /** After availability or scores changed: the change to publish, if the mode or the configs serving changed. */
  observe(routing: CompiledRoutingPolicy, cause?: string): GatewayFallbackChangedV1 | undefined {
    const router = routing.router;
    const shares = router.weightedShares();
    const servingConfigs = router.names.filter((_, index) => shares[index] > 0);
    const unavailableConfigs = router.names.filter((_, index) => !router.isAvailable(index));
    // Availability is part of the state even in normal mode: routing-control holds a canary's
    // weight steps and promotion while a gateway reports it without an available node.
    const state = `${router.mode === 'normal' ? 'normal' : `${router.mode}:${servingConfigs.join(',')}`}|${unavailableConfigs.join(',')}`;
    if (state === this.reportedState) {
      return undefined;
    }
    const previousMode = this.mode;
    this.reportedState = state;
    this.mode = router.mode;
    this.setGauge(routing);
    const { stack, environment } = routing.update;
    return {
      stack,
      environment,
      gatewayId: this.gatewayId,
      version: routing.version,
      mode: router.mode,
      previousMode,
      unavailableConfigs,
      servingConfigs,
      reason: cause ?? reasonOf(router, unavailableConfigs, servingConfigs),
    };
  }

  /** On the request path, for a request routed while the mode is not normal. */
  countRequest(mode: RoutingMode, stackConfigIndex: number): void {
    if (mode !== 'normal') {
      this.counters[mode][stackConfigIndex]?.inc();
    }
  }

  private setGauge(routing: CompiledRoutingPolicy): void {
    const { stack, environment } = routing.update;
    for (const mode of ROUTING_MODES) {
      routingModeGauge.set({ stack, environment, mode }, mode === this.mode ? 1 : 0);
    }
  }
}

function reasonOf(router: StackRouter, unavailableConfigs: string[], servingConfigs: string[]): string {
  const serving = servingConfigs.join(', ');
  switch (router.mode) {
    case 'normal':
      return `a stack config with a weight has an available node again; serving ${serving}`;
    case 'fallback': {
      const stable = router.names[router.stableIndex];
      const to = servingConfigs.length === 1 && servingConfigs[0] === stable ? `the stable config ${stable}` : `the stack configs of weight 0 with an available node: ${serving}`;
      return `no stack config with a weight has an available node (without one: ${unavailableConfigs.join(', ')}); falling back to ${to}`;
    }
    case 'panic':
      return `no stack config has an available node; panic: routing to every node of ${serving}, ejected ones included`;
  }
}
