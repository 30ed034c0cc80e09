import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { KnownEnvironment, KnownStackEntity } from '../entities/known-stack.entity';

/** The only code touching routing-control's stack catalog; writes join the consumer's transaction. */
@Injectable()
export class KnownStacksRepository {
  /**
   * Order-tolerant: an environment.added that arrived first (a replay, a producer outside the
   * outbox) left a row with that environment; the stack's own environments join it, none is lost.
   */
  async recordStackCreated(manager: EntityManager, name: string, environments: KnownEnvironment[]): Promise<void> {
    const known = await manager.findOne(KnownStackEntity, { where: { name }, lock: { mode: 'pessimistic_write' } });
    if (known) {
      known.environments = mergeEnvironments(environments, known.environments);
      known.appliedEvents += 1;
      await manager.save(known);
      return;
    }
    await manager.insert(KnownStackEntity, { name, environments, appliedEvents: 1 });
  }

  /** Before its stack.created (reordered delivery) it starts the stack's row rather than failing. */
  async recordEnvironmentAdded(manager: EntityManager, stack: string, environment: KnownEnvironment): Promise<void> {
    const known = await manager.findOne(KnownStackEntity, { where: { name: stack }, lock: { mode: 'pessimistic_write' } });
    if (!known) {
      await manager.insert(KnownStackEntity, { name: stack, environments: [environment], appliedEvents: 1 });
      return;
    }
    known.environments = mergeEnvironments(known.environments, [environment]);
    known.appliedEvents += 1;
    await manager.save(known);
  }

  findAll(manager: EntityManager): Promise<KnownStackEntity[]> {
    return manager.find(KnownStackEntity, { order: { name: 'ASC' } });
  }

  find(manager: EntityManager, name: string): Promise<KnownStackEntity | null> {
    return manager.findOne(KnownStackEntity, { where: { name } });
  }
}

/** The environments of both, by name; where both name one, the later's definition wins. */
function mergeEnvironments(earlier: readonly KnownEnvironment[], later: readonly KnownEnvironment[]): KnownEnvironment[] {
  const laterNames = new Set(later.map((environment) => environment.name));
  return [...earlier.filter((environment) => !laterNames.has(environment.name)), ...later];
}
