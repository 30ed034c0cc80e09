import { Logger } from '@strata/observability';
import { CompiledRoutingPolicy } from './compiled-routing-policy';
import { LastKnownGoodStore } from './last-known-good-store';
import { ListeningAddress, nodePointingAtGateway } from './own-origin';
import { RoutingPolicyOutcome, RoutingPolicyUpdate, ValidRoutingPolicyUpdate, parseRoutingPolicyUpdate, routingPolicyUpdateViolations } from './routing-policy-update';

/** What the loader needs from the gateway it loads configs into. */
export interface RoutingPolicyTarget {
  /** The config served now, if any. */
  served(): ValidRoutingPolicyUpdate | undefined;
  /** Where the gateway listens; unknown before it does. */
  listening(): ListeningAddress | undefined;
  /** Compiles a config for the request path; throws when it cannot be installed. */
  compile(update: ValidRoutingPolicyUpdate): CompiledRoutingPolicy;
  /** Serves a compiled config from now on. */
  install(compiled: CompiledRoutingPolicy): void;
}

/**
 * The loader API of the config subscription (Envoy's xDS "accept or reject"): validates a routing
 * config, refuses one that is invalid, stale, for another stack, pointing at the gateway itself or
 * impossible to compile (the NACK, keeping the config served), otherwise installs it and queues it
 * as last-known-good (the ACK). Also loads the last-known-good config at start.
 */
export class RoutingPolicyLoader {
  constructor(
    private readonly gatewayId: string,
    private readonly store: LastKnownGoodStore | undefined,
    private readonly target: RoutingPolicyTarget,
    private readonly logger: Logger,
    /** The stack and environment this loader's configs must be for (a virtual host's); unset: those of the first config. */
    private readonly pinned?: { stack: string; environment: string },
  ) {}

  apply(update: unknown): RoutingPolicyOutcome {
    const envelope = update as Partial<RoutingPolicyUpdate> | null;
    const identity = {
      stack: typeof envelope?.stack === 'string' ? envelope.stack : '',
      environment: typeof envelope?.environment === 'string' ? envelope.environment : '',
      version: typeof envelope?.version === 'number' ? envelope.version : 0,
      gatewayId: this.gatewayId,
    };
    const current = this.target.served();
    const keptVersion = current?.version ?? null;
    const reject = (reason: string, violations: { field: string; message: string }[] = []): RoutingPolicyOutcome => {
      this.logger.warn('routing config rejected', { ...identity, reason, violations, keptVersion });
      return { outcome: 'rejected', ...identity, reason, violations, keptVersion };
    };
    const violations = routingPolicyUpdateViolations(update);
    if (violations.length > 0) {
      return reject(`the routing config has ${violations.length} violation(s)`, violations);
    }
    const valid = parseRoutingPolicyUpdate(update as RoutingPolicyUpdate);
    const routes = this.pinned ?? current;
    if (routes && (routes.stack !== valid.stack || routes.environment !== valid.environment)) {
      return reject(`this gateway routes ${routes.stack}/${routes.environment}, not ${valid.stack}/${valid.environment}`);
    }
    if (current && valid.version < current.version) {
      return reject(`version ${valid.version} is older than the applied version ${current.version}`);
    }
    if (current?.version === valid.version) {
      return { outcome: 'applied', ...identity };
    }
    const listening = this.target.listening();
    const loop = listening && nodePointingAtGateway(valid.config, listening);
    if (loop) {
      return reject(`backend node ${loop.id} (${loop.url}) is this gateway: every request would be forwarded back to it`, [
        { field: loop.field, message: `is where gateway ${this.gatewayId} itself listens` },
      ]);
    }
    // Compiled before it is persisted: a config this gateway cannot install must never become the
    // last-known-good one, or the next restart would start from it.
    let compiled: CompiledRoutingPolicy;
    try {
      compiled = this.target.compile(valid);
    } catch (error: unknown) {
      return reject(`the routing config cannot be installed: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.store?.save(valid);
    this.target.install(compiled);
    return { outcome: 'applied', ...identity };
  }

  /** At start, before serving: installs the last-known-good config, unless it is missing or unusable. */
  loadLastKnownGood(): void {
    if (!this.store) {
      return;
    }
    const file = this.store.path;
    let stored: unknown;
    try {
      stored = this.store.load();
    } catch (error: unknown) {
      this.logger.error('the last-known-good routing config is unreadable; starting without one', error, { file });
      return;
    }
    if (stored === undefined) {
      this.logger.info('no last-known-good routing config yet', { file });
      return;
    }
    const violations = routingPolicyUpdateViolations(stored);
    if (violations.length > 0) {
      this.logger.error('the last-known-good routing config is invalid; starting without one', undefined, { file, violations });
      return;
    }
    const valid = parseRoutingPolicyUpdate(stored as RoutingPolicyUpdate);
    if (this.pinned && (this.pinned.stack !== valid.stack || this.pinned.environment !== valid.environment)) {
      this.logger.error('the last-known-good routing config is for another stack; starting without one', undefined, { file, stack: valid.stack, environment: valid.environment });
      return;
    }
    let compiled: CompiledRoutingPolicy;
    try {
      compiled = this.target.compile(valid);
    } catch (error: unknown) {
      this.logger.error('the last-known-good routing config cannot be installed; starting without one', error, { file });
      return;
    }
    this.target.install(compiled);
    this.logger.info('serving the last-known-good routing config', { version: compiled.version });
  }
}
