import { Injectable } from '@nestjs/common';
import { EntityManager, IsNull, Not } from 'typeorm';
import { CatalogEnvironmentEntity, CatalogGroupEntity, CatalogVersionEntity, DeployedComponentEntity, GroupHistoryEntity, NodeEntity, RolloutOutcomeEntity, RoutingAnswerEntity } from '../entities/catalog.entity';

/** The only code touching the rollback service's projections of the registry, nodes and routing answers. */
@Injectable()
export class CatalogRepository {
  async upsertVersion(manager: EntityManager, version: CatalogVersionEntity): Promise<void> {
    // The JSON columns hold documents TypeORM cannot type as partial entities.
    await manager.upsert(CatalogVersionEntity, version as never, ['stack', 'component', 'version']);
  }

  async upsertGroup(manager: EntityManager, group: CatalogGroupEntity): Promise<void> {
    await manager.upsert(CatalogGroupEntity, group, ['stack', 'name']);
  }

  /** Order-tolerant and idempotent: an environment announced twice, or before its stack, is kept once. */
  async recordEnvironments(manager: EntityManager, stack: string, names: readonly string[]): Promise<void> {
    await manager
      .createQueryBuilder()
      .insert()
      .into(CatalogEnvironmentEntity)
      .values(names.map((name) => ({ stack, name })))
      .orIgnore()
      .execute();
  }

  async environmentsOf(manager: EntityManager, stack: string): Promise<string[]> {
    const rows = await manager.find(CatalogEnvironmentEntity, { where: { stack }, order: { name: 'ASC' } });
    return rows.map((row) => row.name);
  }

  /** Whether anything of the stack (an environment, a group, a component version) has reached the service. */
  async knowsStack(manager: EntityManager, stack: string): Promise<boolean> {
    for (const entity of [CatalogEnvironmentEntity, CatalogGroupEntity, CatalogVersionEntity]) {
      if (await manager.exists(entity, { where: { stack } })) return true;
    }
    return false;
  }

  group(manager: EntityManager, stack: string, name: string): Promise<CatalogGroupEntity | null> {
    return manager.findOneBy(CatalogGroupEntity, { stack, name });
  }

  version(manager: EntityManager, stack: string, component: string, version: string): Promise<CatalogVersionEntity | null> {
    return manager.findOneBy(CatalogVersionEntity, { stack, component, version });
  }

  async versions(manager: EntityManager, stack: string, members: readonly { component: string; version: string }[]): Promise<Map<string, CatalogVersionEntity>> {
    const found = members.length === 0 ? [] : await manager.find(CatalogVersionEntity, { where: members.map((member) => ({ stack, component: member.component, version: member.version })) });
    return new Map(found.map((version) => [`${version.component}@${version.version}`, version]));
  }

  async knownVersions(manager: EntityManager, stack: string, component: string): Promise<Set<string>> {
    const rows = await manager.find(CatalogVersionEntity, { where: { stack, component }, select: { version: true } });
    return new Set(rows.map((row) => row.version));
  }

  deployed(manager: EntityManager, stack: string, environment: string): Promise<DeployedComponentEntity[]> {
    return manager.find(DeployedComponentEntity, { where: { stack, environment }, order: { component: 'ASC' } });
  }

  async setDeployed(manager: EntityManager, slot: Omit<DeployedComponentEntity, 'updatedAt'>): Promise<void> {
    await manager.upsert(DeployedComponentEntity, { ...slot, updatedAt: new Date() }, ['stack', 'environment', 'component']);
  }

  async removeDeployed(manager: EntityManager, stack: string, environment: string, component: string): Promise<void> {
    await manager.delete(DeployedComponentEntity, { stack, environment, component });
  }

  async pushHistory(manager: EntityManager, stack: string, environment: string, versionGroup: string, executionId: string | null): Promise<void> {
    await manager.insert(GroupHistoryEntity, { stack, environment, versionGroup, executionId, deployedAt: new Date() });
  }

  /** The groups the environment was brought to, newest first. */
  async history(manager: EntityManager, stack: string, environment: string, limit = 50): Promise<string[]> {
    const rows = await manager.find(GroupHistoryEntity, { where: { stack, environment }, order: { id: 'DESC' }, take: limit });
    return rows.map((row) => row.versionGroup);
  }

  /** Applies a node snapshot unless an equally recent or newer one is held. */
  async recordNode(manager: EntityManager, node: NodeEntity): Promise<void> {
    await manager.query(
      `INSERT INTO "${manager.connection.getMetadata(NodeEntity).schema}".nodes (stack, environment, component, address, discovered_version, health, observed_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (stack, environment, component, address) DO UPDATE
         SET discovered_version = EXCLUDED.discovered_version, health = EXCLUDED.health, observed_at = EXCLUDED.observed_at
         WHERE nodes.observed_at <= EXCLUDED.observed_at`,
      [node.stack, node.environment, node.component, node.address, node.discoveredVersion, node.health, node.observedAt],
    );
  }

  /** Nodes of the component reporting `version` and healthy. */
  readyNodes(manager: EntityManager, stack: string, environment: string, component: string, version: string): Promise<NodeEntity[]> {
    return manager.find(NodeEntity, { where: { stack, environment, component, discoveredVersion: version, health: 'healthy' } });
  }

  nodesOf(manager: EntityManager, stack: string, environment: string, component: string): Promise<NodeEntity[]> {
    return manager.find(NodeEntity, { where: { stack, environment, component, discoveredVersion: Not(IsNull()) } });
  }

  async recordAnswer(manager: EntityManager, answer: Omit<RoutingAnswerEntity, 'receivedAt'>): Promise<void> {
    await manager.upsert(RoutingAnswerEntity, { ...answer, receivedAt: new Date() }, ['requestId']);
  }

  /** A rollout's end; `rolled-back` after `aborted` keeps the abort's reason, which says why (the later one only that traffic is back). */
  async recordRolloutOutcome(manager: EntityManager, outcome: Omit<RolloutOutcomeEntity, 'updatedAt'>): Promise<void> {
    await manager.query(
      `INSERT INTO "${manager.connection.getMetadata(RolloutOutcomeEntity).schema}".rollout_outcomes AS held (stack, rollout, phase, reason, updated_at)
       VALUES ($1, $2, $3, $4, now())
       ON CONFLICT (stack, rollout) DO UPDATE
         SET phase = EXCLUDED.phase, updated_at = now(),
             reason = CASE WHEN held.phase = 'aborted' AND EXCLUDED.phase = 'rolled-back' THEN held.reason ELSE EXCLUDED.reason END`,
      [outcome.stack, outcome.rollout, outcome.phase, outcome.reason],
    );
  }

  rolloutOutcome(manager: EntityManager, stack: string, rollout: string): Promise<RolloutOutcomeEntity | null> {
    return manager.findOneBy(RolloutOutcomeEntity, { stack, rollout });
  }

  answer(manager: EntityManager, requestId: string): Promise<RoutingAnswerEntity | null> {
    return manager.findOneBy(RoutingAnswerEntity, { requestId });
  }

}
