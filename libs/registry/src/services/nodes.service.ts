import { Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { nodeResourceMetric } from '@strata/contracts';
import { DomainError, NodeVersionStatus, backendOriginProblem } from '@strata/domain';
import { EventOutbox } from '@strata/messaging';
import { Logger } from '@strata/observability';
import { PeriodicTask } from '@strata/runtime';
import { EntityManager } from 'typeorm';
import { VersionMapEntryEntity, VersionMapLocation } from '../entities/version-map-entry.entity';
import { NodeEntity, NodeHealth, nodeUrl } from '../entities/node.entity';
import { ComponentsRepository } from '../repositories/components.repository';
import { RegistryTransactions } from '../repositories/transactions';
import { NodesRepository } from '../repositories/nodes.repository';
import { StacksRepository } from '../repositories/stacks.repository';
import { VersionMapRepository } from '../repositories/version-map.repository';
import { versionStatusOfNode } from './node-version-status';

export interface Heartbeat {
  stack: string;
  environment: string;
  location: VersionMapLocation;
  component: string;
  address: string;
  /** The version the node says it runs: the discovered version. */
  version: string;
  /** The origin to reach the node at, when not `http://<address>` (https, a name, another port). */
  url?: string;
  resources?: Record<string, number>;
}

/** A node and how its version compares with the groups deployed where it runs. */
export interface ObservedNode {
  node: NodeEntity;
  status: NodeVersionStatus;
}

type NodeScope = { stack: string; environment: string; location: VersionMapLocation; component: string; address: string };

/** A node silent this long is unhealthy: six missed heartbeats at the usual 5 s interval. */
const HEARTBEAT_TIMEOUT_SECONDS = 30;
const SWEEP_INTERVAL_MS = 5_000;
/** Each figure becomes a KPI event in the heartbeat's transaction; a node reports a handful. */
export const MAX_RESOURCE_FIGURES = 100;
/** A node that keeps reporting is announced again this often, so a projection that lost it heals. */
const REANNOUNCE_AFTER_MS = 5 * 60_000;

/**
 * Nodes report themselves; their version is discovered, not only declared. A discovered version
 * that is none of the versions the groups deployed to its location give its component is flagged
 * and emitted; a node that stops reporting is marked unhealthy by a sweep that replicas share
 * safely (rows locked with SKIP LOCKED). Every new node and every change of its url, discovered
 * version or health is announced (`node.changed`), which is how routing-control routes to it.
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
    private readonly stacks: StacksRepository,
    private readonly versionMap: VersionMapRepository,
    private readonly nodes: NodesRepository,
    private readonly transactions: RegistryTransactions,
    private readonly events: EventOutbox,
  ) {}

  onApplicationBootstrap(): void {
    this.sweeper.start(SWEEP_INTERVAL_MS);
  }

  onApplicationShutdown(): Promise<void> {
    return this.sweeper.stop();
  }

  async heartbeat(beat: Heartbeat): Promise<ObservedNode> {
    const figures = Object.keys(beat.resources ?? {}).length;
    if (figures > MAX_RESOURCE_FIGURES) {
      throw DomainError.invalid('too many resource figures', [{ field: 'resources', message: `must hold at most ${MAX_RESOURCE_FIGURES} figures, got ${figures}` }]);
    }
    const badResources = Object.entries(beat.resources ?? {}).filter(([, value]) => typeof value !== 'number' || !Number.isFinite(value));
    if (badResources.length > 0) {
      throw DomainError.invalid('resource figures must be numbers', badResources.map(([name]) => ({ field: `resources.${name}`, message: 'must be a finite number' })));
    }
    const url = beat.url ?? `http://${beat.address}`;
    const unreachable = backendOriginProblem(url);
    if (unreachable) {
      throw DomainError.invalid('the node cannot be reached at its url', [{ field: beat.url === undefined ? 'address' : 'url', message: unreachable }]);
    }
    return this.transactions.run(async (manager) => {
      const component = await this.components.findComponent(manager, beat.component);
      if (!component || component.stack.name !== beat.stack) {
        throw DomainError.notFound('component', `${beat.stack}/${beat.component}`);
      }
      const environment = await this.stacks.findEnvironment(manager, component.stackId, beat.environment);
      if (!environment) {
        throw DomainError.notFound('environment', `${beat.stack}/${beat.environment}`);
      }
      const slots = await this.versionMap.deploymentsIn(manager, environment.id, beat.location);
      const groups = await this.versionMap.activeGroups(manager, environment.id, beat.location);
      const status = versionStatusOfNode({ componentId: component.id, location: beat.location, discoveredVersion: beat.version }, beat.component, groups, slots);
      const declaredVersion = status.declaredVersion;
      const key = { environmentId: environment.id, location: beat.location, componentId: component.id, address: beat.address };
      const existing = await this.nodes.findForUpdate(manager, key);
      const now = new Date();
      const announcement = announcementReason(existing, { url, discoveredVersion: beat.version, health: 'healthy' }, now, true);
      const node = await this.nodes.save(manager, {
        ...(existing ? { id: existing.id } : {}),
        ...key,
        url: beat.url ?? null,
        declaredVersion,
        discoveredVersion: beat.version,
        health: 'healthy',
        resources: beat.resources ?? {},
        lastSeen: now,
        announcedAt: announcement ? now : (existing?.announcedAt ?? null),
      });
      const scope: NodeScope = { stack: beat.stack, environment: beat.environment, location: beat.location, component: beat.component, address: beat.address };
      if (existing?.health !== 'healthy') {
        await this.healthChanged(scope, existing?.health ?? null, 'healthy', 'heartbeat received', manager);
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
      if (status.mismatch && declaredVersion !== null && (existing?.discoveredVersion !== beat.version || existing.declaredVersion !== declaredVersion)) {
        await this.events.record(
          manager,
          this.events.create('io.strata.registry.version-mismatch.detected.v1', beat.stack, {
            ...scope,
            declaredVersion,
            discoveredVersion: beat.version,
            source: 'heartbeat',
            expectedVersions: status.expectedVersions,
          }),
        );
      }
      if (announcement) {
        await this.announce(scope, node, announcement, now, manager);
      }
      return { node, status };
    });
  }

  /** The nodes serving one slot of the version map, for its health check to probe. */
  nodesOfEntry(slot: Pick<VersionMapEntryEntity, 'environmentId' | 'location' | 'componentId'>): Promise<NodeEntity[]> {
    return this.nodes.nodesOfEntry(this.transactions.reader, slot);
  }

  /** A health check probed a node: its health, and the version it reported, go into the map. */
  async recordProbe(node: NodeEntity, ok: boolean, discoveredVersion: string | undefined, detail: string): Promise<void> {
    await this.transactions.run(async (manager) => {
      const health: NodeHealth = ok ? 'healthy' : 'unhealthy';
      const location = node.location as VersionMapLocation;
      const scope: NodeScope = { ...(await this.nodes.scopeOf(manager, node)), location, address: node.address };
      const discovered = discoveredVersion ?? node.discoveredVersion;
      const slots = await this.versionMap.deploymentsIn(manager, node.environmentId, location);
      const groups = await this.versionMap.activeGroups(manager, node.environmentId, location);
      const status = versionStatusOfNode({ ...node, discoveredVersion: discovered }, scope.component, groups, slots);
      const now = new Date();
      const announcement = announcementReason(node, { url: nodeUrl(node), discoveredVersion: discovered, health }, now, false);
      const saved = await this.nodes.save(manager, {
        ...node,
        health,
        declaredVersion: status.declaredVersion,
        discoveredVersion: discovered,
        ...(announcement ? { announcedAt: now } : {}),
      });
      if (node.health !== health) {
        await this.healthChanged(scope, node.health, health, `health check: ${detail}`, manager);
      }
      if (discoveredVersion && status.mismatch && status.declaredVersion !== null && discoveredVersion !== node.discoveredVersion) {
        await this.events.record(
          manager,
          this.events.create('io.strata.registry.version-mismatch.detected.v1', scope.stack, {
            ...scope,
            declaredVersion: status.declaredVersion,
            discoveredVersion,
            source: 'health-check',
            expectedVersions: status.expectedVersions,
          }),
        );
      }
      if (announcement) {
        await this.announce(scope, saved, `${announcement} (health check: ${detail})`.slice(0, 1_000), now, manager);
      }
    });
  }

  /** Marks silent nodes unhealthy; returns how many. */
  async sweep(): Promise<number> {
    return this.transactions.run(async (manager) => {
      const stale = await this.nodes.staleNodes(manager, HEARTBEAT_TIMEOUT_SECONDS);
      for (const node of stale) {
        const now = new Date();
        const saved = await this.nodes.save(manager, { ...node, health: 'unhealthy', announcedAt: now });
        const scope: NodeScope = { ...(await this.nodes.scopeOf(manager, node)), location: node.location as VersionMapLocation, address: node.address };
        const reason = `no heartbeat for ${HEARTBEAT_TIMEOUT_SECONDS} s`;
        await this.healthChanged(scope, node.health, 'unhealthy', reason, manager);
        await this.announce(scope, saved, `health ${node.health} → unhealthy (${reason})`, now, manager);
      }
      return stale.length;
    });
  }

  private async healthChanged(scope: NodeScope, from: NodeHealth | null, to: NodeHealth, reason: string, manager: EntityManager): Promise<void> {
    await this.events.record(manager, this.events.create('io.strata.registry.node-health.changed.v1', scope.stack, { ...scope, from, to, reason }));
  }

  private async announce(scope: NodeScope, node: NodeEntity, reason: string, observedAt: Date, manager: EntityManager): Promise<void> {
    await this.events.record(
      manager,
      this.events.create('io.strata.registry.node.changed.v1', scope.stack, {
        ...scope,
        url: nodeUrl(node),
        discoveredVersion: node.discoveredVersion,
        health: node.health,
        reason,
        observedAt: observedAt.getTime(),
      }),
    );
  }
}

/**
 * Why a node's state must be announced now, or undefined: it is new, its url, discovered version
 * or health changed, or (for a node still reporting) its last announcement is a while ago.
 */
function announcementReason(
  existing: NodeEntity | null,
  next: { url: string; discoveredVersion: string | null; health: NodeHealth },
  now: Date,
  refresh: boolean,
): string | undefined {
  if (!existing) {
    return 'registered';
  }
  const changes = [
    ...(nodeUrl(existing) !== next.url ? [`url ${nodeUrl(existing)} → ${next.url}`] : []),
    ...(existing.discoveredVersion !== next.discoveredVersion ? [`version ${existing.discoveredVersion ?? 'unknown'} → ${next.discoveredVersion ?? 'unknown'}`] : []),
    ...(existing.health !== next.health ? [`health ${existing.health} → ${next.health}`] : []),
  ];
  if (changes.length > 0) {
    return changes.join(', ');
  }
  const stale = existing.announcedAt === null || now.getTime() - existing.announcedAt.getTime() >= REANNOUNCE_AFTER_MS;
  return refresh && stale ? 'refresh' : undefined;
}
