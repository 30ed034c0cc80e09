import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { nodeResourceMetric } from '@strata/contracts';
import { DomainError } from '@strata/domain';
import { EventOutbox } from '@strata/messaging';
import { Logger } from '@strata/observability';
import { PeriodicTask } from '@strata/runtime';
import { EntityManager } from 'typeorm';
import { DeploymentLocation } from '../entities/deployment.entity';
import { NodeEntity, NodeHealth } from '../entities/node.entity';
import { ComponentsRepository } from '../repositories/components.repository';
import { RegistryTransactions } from '../repositories/transactions';
import { VersionMapRepository } from '../repositories/version-map.repository';

export interface Heartbeat {
  stack: string;
  environment: string;
  location: DeploymentLocation;
  component: string;
  address: string;
  /** The version the node says it runs: the discovered version. */
  version: string;
  resources?: Record<string, number>;
}

/** A node silent this long is unhealthy: six missed heartbeats at the usual 5 s interval. */
const HEARTBEAT_TIMEOUT_SECONDS = 30;
const SWEEP_INTERVAL_MS = 5_000;
/** Each figure becomes a KPI event in the heartbeat's transaction; a node reports a handful. */
const MAX_RESOURCE_FIGURES = 100;

/**
 * Nodes report themselves; their version is discovered, not only declared. A discovered version
 * that differs from the version map is flagged and emitted; a node that stops reporting is marked
 * unhealthy by a sweep that replicas share safely (rows locked with SKIP LOCKED).
 */
@Injectable()
export class NodesService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('nodes').child({ service: 'registry' });
  private readonly sweeper = new PeriodicTask(
    () => this.sweep(),
    (error) => this.logger.warn('node sweep failed', { reason: String(error) }),
  );

  constructor(
    private readonly components: ComponentsRepository,
    private readonly versionMap: VersionMapRepository,
    private readonly transactions: RegistryTransactions,
    private readonly events: EventOutbox,
  ) {}

  onApplicationBootstrap(): void {
    this.sweeper.start(SWEEP_INTERVAL_MS);
  }

  onApplicationShutdown(): Promise<void> {
    return this.sweeper.stop();
  }

  async heartbeat(beat: Heartbeat): Promise<NodeEntity> {
    const figures = Object.keys(beat.resources ?? {}).length;
    if (figures > MAX_RESOURCE_FIGURES) {
      throw DomainError.invalid('too many resource figures', [{ field: 'resources', message: `must hold at most ${MAX_RESOURCE_FIGURES} figures, got ${figures}` }]);
    }
    const badResources = Object.entries(beat.resources ?? {}).filter(([, value]) => typeof value !== 'number' || !Number.isFinite(value));
    if (badResources.length > 0) {
      throw DomainError.invalid('resource figures must be numbers', badResources.map(([name]) => ({ field: `resources.${name}`, message: 'must be a finite number' })));
    }
    return this.transactions.run(async (manager) => {
      const component = await this.components.findComponent(manager, beat.component);
      if (!component || component.stack.name !== beat.stack) {
        throw DomainError.notFound('component', `${beat.stack}/${beat.component}`);
      }
      const environment = await this.versionMap.findEnvironment(manager, component.stackId, beat.environment);
      if (!environment) {
        throw DomainError.notFound('environment', `${beat.stack}/${beat.environment}`);
      }
      const slot = (await this.versionMap.deploymentsIn(manager, environment.id, beat.location)).find((candidate) => candidate.componentId === component.id);
      const declaredVersion = slot?.componentVersion.version ?? null;
      const key = { environmentId: environment.id, location: beat.location, componentId: component.id, address: beat.address };
      const existing = await this.versionMap.findNode(manager, key);
      const node = await this.versionMap.saveNode(manager, {
        ...(existing ? { id: existing.id } : {}),
        ...key,
        declaredVersion,
        discoveredVersion: beat.version,
        health: 'healthy',
        resources: beat.resources ?? {},
        lastSeen: new Date(),
      });
      const scope = { stack: beat.stack, environment: beat.environment, location: beat.location, component: beat.component, address: beat.address };
      if (existing?.health !== 'healthy') {
        await this.healthChanged(manager, scope, existing?.health ?? null, 'healthy', 'heartbeat received');
      }
      // Resource figures become KPI series (node_<resource>) in metrics-ingest, in this transaction.
      const timestamp = Date.now();
      await this.events.record(
        manager,
        ...Object.entries(beat.resources ?? {}).map(([resource, value]) =>
          this.events.create('io.strata.kpi.samples.v1', beat.stack, {
            series: { stack: beat.stack, environment: beat.environment, component: beat.component, node: beat.address, metric: nodeResourceMetric(resource) },
            samples: [{ timestamp, value }],
          }),
        ),
      );
      const mismatch = declaredVersion !== null && declaredVersion !== beat.version;
      if (mismatch && (existing?.discoveredVersion !== beat.version || existing.declaredVersion !== declaredVersion)) {
        await this.events.record(
          manager,
          this.events.create('io.strata.registry.version-mismatch.detected.v1', beat.stack, { ...scope, declaredVersion, discoveredVersion: beat.version, source: 'heartbeat' }),
        );
      }
      return node;
    });
  }

  /** A health check probed a node: its health, and the version it reported, go into the map. */
  async recordProbe(node: NodeEntity, ok: boolean, discoveredVersion: string | undefined, declaredVersion: string, detail: string): Promise<void> {
    await this.transactions.run(async (manager) => {
      const health: NodeHealth = ok ? 'healthy' : 'unhealthy';
      const scope = { ...(await this.versionMap.nodeScope(manager, node)), location: node.location as DeploymentLocation, address: node.address };
      await this.versionMap.saveNode(manager, { ...node, health, declaredVersion, ...(discoveredVersion ? { discoveredVersion } : {}) });
      if (node.health !== health) {
        await this.healthChanged(manager, scope, node.health, health, `health check: ${detail}`);
      }
      if (discoveredVersion && discoveredVersion !== declaredVersion && discoveredVersion !== node.discoveredVersion) {
        await this.events.record(
          manager,
          this.events.create('io.strata.registry.version-mismatch.detected.v1', scope.stack, { ...scope, declaredVersion, discoveredVersion, source: 'health-check' }),
        );
      }
    });
  }

  /** Marks silent nodes unhealthy; returns how many. */
  async sweep(): Promise<number> {
    return this.transactions.run(async (manager) => {
      const stale = await this.versionMap.staleNodes(manager, HEARTBEAT_TIMEOUT_SECONDS);
      for (const node of stale) {
        await this.versionMap.saveNode(manager, { ...node, health: 'unhealthy' });
        const scope = { ...(await this.versionMap.nodeScope(manager, node)), location: node.location as DeploymentLocation, address: node.address };
        await this.healthChanged(manager, scope, node.health, 'unhealthy', `no heartbeat for ${HEARTBEAT_TIMEOUT_SECONDS} s`);
      }
      return stale.length;
    });
  }

  private async healthChanged(
    manager: EntityManager,
    scope: { stack: string; environment: string; location: DeploymentLocation; component: string; address: string },
    from: NodeHealth | null,
    to: NodeHealth,
    reason: string,
  ): Promise<void> {
    await this.events.record(manager, this.events.create('io.strata.registry.node-health.changed.v1', scope.stack, { ...scope, from, to, reason }));
  }
}
