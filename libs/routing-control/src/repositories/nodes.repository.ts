import { Injectable } from '@nestjs/common';
import { KnownNode } from '@strata/domain';
import { EntityManager, In } from 'typeorm';
import { ROUTING_CONTROL_SCHEMA } from '../database/routing-control-schema';
import { DiscoveredNodeEntity } from '../entities/discovered-node.entity';
import { VersionGroupProjectionEntity } from '../entities/routing-projections.entity';

export type NodeSnapshot = Omit<DiscoveredNodeEntity, 'updatedAt'>;

export interface NodeScope {
  stack: string;
  environment: string;
  location: 'staging' | 'production';
  component: string;
}

/**
 * The only code touching routing-control's projection of the registry's nodes. It also reads the
 * version-group projection (which the registry projection consumer writes) for the one thing node
 * discovery needs from it: a component's version in each group.
 */
@Injectable()
export class NodesRepository {
  /** Applies a registry snapshot unless a newer one is held; returns whether it was applied. */
  async record(manager: EntityManager, node: NodeSnapshot): Promise<boolean> {
    const rows: unknown[] = await manager.query(
      `INSERT INTO "${ROUTING_CONTROL_SCHEMA}".nodes (stack, environment, location, component, address, url, discovered_version, health, observed_at, updated_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now())
       ON CONFLICT (stack, environment, location, component, address) DO UPDATE
         SET url = EXCLUDED.url, discovered_version = EXCLUDED.discovered_version, health = EXCLUDED.health, observed_at = EXCLUDED.observed_at, updated_at = now()
         WHERE nodes.observed_at <= EXCLUDED.observed_at
       RETURNING address`,
      [node.stack, node.environment, node.location, node.component, node.address, node.url, node.discoveredVersion, node.health, node.observedAt],
    );
    return rows.length > 0;
  }

  async nodesOf(manager: EntityManager, scope: NodeScope): Promise<KnownNode[]> {
    const nodes = await manager.find(DiscoveredNodeEntity, { where: { ...scope }, order: { address: 'ASC' } });
    return nodes.map((node) => ({ address: node.address, url: node.url, discoveredVersion: node.discoveredVersion, health: node.health }));
  }

  /** The version of `component` in each of these version groups of the stack; groups without it are left out. */
  async componentVersions(manager: EntityManager, stack: string, groups: readonly string[], component: string): Promise<Map<string, string>> {
    const found = groups.length === 0 ? [] : await manager.find(VersionGroupProjectionEntity, { where: { stack, name: In([...groups]) } });
    const versions = new Map<string, string>();
    for (const group of found) {
      const member = group.members.find((candidate) => candidate.component === component);
      if (member) {
        versions.set(group.name, member.version);
      }
    }
    return versions;
  }
}
