import { Injectable } from '@nestjs/common';
import { EntityManager, In, MoreThan } from 'typeorm';
import { ComponentVersionEntity } from '../entities/component-version.entity';
import { ComponentEntity } from '../entities/component.entity';

/** The only code reading or writing components and their versions. */
@Injectable()
export class ComponentsRepository {
  /**
   * Serialises applies that touch the same stacks or components (transaction-scoped advisory locks,
   * taken in one sorted order so two applies never wait on each other in a cycle): the second of two
   * concurrent applies of one manifest sees what the first created, as unchanged, instead of
   * failing on a unique index.
   */
  async lockForApply(manager: EntityManager, scopes: readonly string[]): Promise<void> {
    for (const scope of [...new Set(scopes)].sort()) {
      await manager.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`registry:apply:${scope}`]);
    }
  }

  findComponent(manager: EntityManager, name: string): Promise<ComponentEntity | null> {
    return manager.findOne(ComponentEntity, { where: { name }, relations: { stack: true } });
  }

  findComponents(manager: EntityManager, names: readonly string[]): Promise<ComponentEntity[]> {
    return names.length === 0 ? Promise.resolve([]) : manager.find(ComponentEntity, { where: { name: In([...names]) }, relations: { stack: true } });
  }

  async insertComponent(manager: EntityManager, component: Pick<ComponentEntity, 'stackId' | 'name' | 'type' | 'target'>): Promise<ComponentEntity> {
    const saved = await manager.save(manager.create(ComponentEntity, component));
    return manager.findOneOrFail(ComponentEntity, { where: { id: saved.id }, relations: { stack: true } });
  }

  async pageComponents(manager: EntityManager, stackId: string | undefined, limit: number, after: string | undefined): Promise<{ items: ComponentEntity[]; nextCursor: string | null }> {
    const items = await manager.find(ComponentEntity, {
      where: { ...(stackId ? { stackId } : {}), ...(after ? { name: MoreThan(after) } : {}) },
      relations: { stack: true },
      order: { name: 'ASC' },
      take: limit + 1,
    });
    const page = items.slice(0, limit);
    return { items: page, nextCursor: items.length > limit ? (page[page.length - 1]?.name ?? null) : null };
  }

  findVersion(manager: EntityManager, componentId: string, version: string): Promise<ComponentVersionEntity | null> {
    return manager.findOne(ComponentVersionEntity, { where: { componentId, version }, relations: { component: true } });
  }

  /** Every version number of a component, without the versions' contents (a contract's document can be large). */
  async versionNumbers(manager: EntityManager, componentId: string): Promise<string[]> {
    const rows = await manager.find(ComponentVersionEntity, { select: { version: true }, where: { componentId } });
    return rows.map((row) => row.version);
  }

  versionsOf(manager: EntityManager, componentId: string): Promise<ComponentVersionEntity[]> {
    return manager.find(ComponentVersionEntity, { where: { componentId }, relations: { component: true } });
  }

  /** The versions named by `component@version` pairs that exist; the caller reports the rest. */
  async findVersions(manager: EntityManager, wanted: readonly { component: string; version: string }[]): Promise<ComponentVersionEntity[]> {
    if (wanted.length === 0) {
      return [];
    }
    const rows = await manager
      .createQueryBuilder(ComponentVersionEntity, 'version')
      .innerJoinAndSelect('version.component', 'component')
      .where('(component.name, version.version) IN (SELECT * FROM unnest(CAST(:components AS text[]), CAST(:versions AS text[])))', {
        components: wanted.map((entry) => entry.component),
        versions: wanted.map((entry) => entry.version),
      })
      .getMany();
    return rows;
  }

  async insertVersion(manager: EntityManager, version: Omit<ComponentVersionEntity, 'id' | 'createdAt' | 'component'>): Promise<ComponentVersionEntity> {
    const saved = await manager.save(manager.create(ComponentVersionEntity, version));
    return manager.findOneOrFail(ComponentVersionEntity, { where: { id: saved.id }, relations: { component: true } });
  }
}
