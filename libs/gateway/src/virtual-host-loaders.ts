import { join } from 'node:path';
import { RoutingConfigPublishedV1 } from '@strata/contracts';
import { Logger } from '@strata/observability';
import { CompiledRoutingPolicy } from './compiled-routing-policy';
import { LastKnownGoodStore } from './last-known-good-store';
import { ListeningAddress } from './own-origin';
import { RoutingPolicyLoader } from './routing-policy-loader';
import { RoutingPolicyOutcome, ValidRoutingPolicyUpdate } from './routing-policy-update';
import { VirtualHostSpec } from './virtual-hosts';

/** What the loaders need from the gateway (or supervisor) they load configs into, per virtual host index. */
export interface VirtualHostsTarget {
  served(index: number): ValidRoutingPolicyUpdate | undefined;
  listening(): ListeningAddress | undefined;
  compile(update: ValidRoutingPolicyUpdate): CompiledRoutingPolicy;
  install(index: number, compiled: CompiledRoutingPolicy): void;
}

export interface VirtualHostLoadersOptions {
  gatewayId: string;
  /** Where the last-known-good configs live: the one of a single stack here, a virtual host's under `<stack>/<environment>/`. */
  stateDir: string;
  /** A single-stack gateway's pin (unset: the first config given decides). */
  stack?: string;
  environment?: string;
  virtualHosts?: readonly VirtualHostSpec[];
  logger: Logger;
}

/**
 * One loader and one last-known-good file per virtual host, so each stack and environment is
 * validated, ACKed or NACKed, persisted and restored on its own; a config for a stack and
 * environment the gateway does not serve is not its to apply. A gateway of one stack has one
 * loader, which works as it always has.
 */
export class VirtualHostLoaders {
  private readonly loaders: RoutingPolicyLoader[];
  private readonly stores: LastKnownGoodStore[];
  /** Stacks and environments whose configs were left to other gateways, each logged once. */
  private readonly notServed = new Set<string>();

  constructor(
    private readonly options: VirtualHostLoadersOptions,
    private readonly target: VirtualHostsTarget,
  ) {
    const { gatewayId, stateDir, logger } = options;
    const specs = options.virtualHosts ?? [undefined];
    this.stores = specs.map(
      (spec) =>
        new LastKnownGoodStore(spec ? join(stateDir, spec.stack, spec.environment) : stateDir, (error) =>
          // Serving the new config matters more than surviving a restart with it; say so loudly.
          logger.error('could not persist the routing config as last-known-good', error, spec ? { stack: spec.stack, environment: spec.environment } : {}),
        ),
    );
    this.loaders = specs.map((spec, index) => {
      const hostTarget = {
        served: () => target.served(index),
        listening: () => target.listening(),
        compile: (update: ValidRoutingPolicyUpdate) => target.compile(update),
        install: (compiled: CompiledRoutingPolicy) => target.install(index, compiled),
      };
      return new RoutingPolicyLoader(gatewayId, this.stores[index], hostTarget, logger, spec && { stack: spec.stack, environment: spec.environment });
    });
  }

  loadLastKnownGood(): void {
    this.loaders.forEach((loader) => loader.loadLastKnownGood());
  }

  /**
   * routing.events carries every stack's configs; another stack's is not this gateway's to refuse.
   * It is logged once per stack and environment: a stack nothing serves is otherwise silent (its
   * routing status lists no gateway), and the fix is this gateway's configuration.
   */
  accepts(published: RoutingConfigPublishedV1): boolean {
    const { virtualHosts } = this.options;
    const served = this.target.served(0);
    const stack = this.options.stack ?? served?.stack;
    const environment = this.options.environment ?? served?.environment;
    const accepted = virtualHosts
      ? this.indexOf(published) >= 0
      : (stack === undefined || stack === published.stack) && (environment === undefined || environment === published.environment);
    const key = `${published.stack}/${published.environment}`;
    if (!accepted && !this.notServed.has(key)) {
      this.notServed.add(key);
      this.options.logger.warn('a routing config for a stack this gateway does not serve was left to other gateways', {
        stack: published.stack,
        environment: published.environment,
        serves: virtualHosts ? virtualHosts.map((spec) => `${spec.stack}/${spec.environment}`) : [`${stack}/${environment}`],
        hint: 'STRATA_GATEWAY_VIRTUAL_HOSTS makes one gateway serve several stacks, by Host or path prefix',
      });
    }
    return accepted;
  }

  /** The loader API: the ACK or the NACK of the virtual host the update is for. */
  apply(update: unknown): RoutingPolicyOutcome {
    if (!this.options.virtualHosts) {
      return (this.loaders[0] as RoutingPolicyLoader).apply(update);
    }
    const identity = update as Partial<RoutingConfigPublishedV1> | null;
    const loader = this.loaders[this.indexOf(identity ?? {})];
    if (loader) {
      return loader.apply(update);
    }
    const stack = typeof identity?.stack === 'string' ? identity.stack : '';
    const environment = typeof identity?.environment === 'string' ? identity.environment : '';
    const reason = `this gateway serves no virtual host for ${stack}/${environment}`;
    this.options.logger.warn('routing config rejected', { stack, environment, reason });
    return { outcome: 'rejected', stack, environment, version: typeof identity?.version === 'number' ? identity.version : 0, gatewayId: this.options.gatewayId, reason, violations: [], keptVersion: null };
  }

  /** Resolves once every last-known-good file holds every config applied so far. */
  async flushed(): Promise<void> {
    await Promise.all(this.stores.map((store) => store.flushed()));
  }

  private indexOf(identity: Partial<Pick<RoutingConfigPublishedV1, 'stack' | 'environment'>>): number {
    return this.options.virtualHosts?.findIndex((spec) => spec.stack === identity.stack && spec.environment === identity.environment) ?? -1;
  }
}
