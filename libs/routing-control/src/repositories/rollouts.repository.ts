import { Injectable } from '@nestjs/common';
import { FINAL_ROLLOUT_PHASES } from '@strata/domain';
import { EntityManager, In, Not } from 'typeorm';
import { RolloutEntity, RolloutTransitionEntity } from '../entities/rollout.entity';

export type NewRolloutTransition = Omit<RolloutTransitionEntity, 'seq' | 'at'>;

/** The only code touching rollouts and their transition history. */
@Injectable()
export class RolloutsRepository {
  insert(manager: EntityManager, rollout: Omit<RolloutEntity, 'createdAt' | 'updatedAt'>): Promise<RolloutEntity> {
    return manager.save(manager.create(RolloutEntity, rollout));
  }

  async save(manager: EntityManager, rollout: RolloutEntity): Promise<RolloutEntity> {
    rollout.phase = rollout.state.phase;
    return manager.save(rollout);
  }

  find(manager: EntityManager, id: string): Promise<RolloutEntity | null> {
    return manager.findOne(RolloutEntity, { where: { id } });
  }

  /** Locks the row: commands and the ticker on several replicas never interleave on one rollout. */
  findForUpdate(manager: EntityManager, id: string): Promise<RolloutEntity | null> {
    return manager.findOne(RolloutEntity, { where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  findByName(manager: EntityManager, stack: string, name: string): Promise<RolloutEntity | null> {
    return manager.findOne(RolloutEntity, { where: { stack, name } });
  }

  list(manager: EntityManager, filter: { stack?: string; environment?: string }, limit: number): Promise<RolloutEntity[]> {
    return manager.find(RolloutEntity, { where: filter, order: { createdAt: 'DESC' }, take: limit });
  }

  /** The rollout of a stack and environment that can still move; there is at most one. */
  findActive(manager: EntityManager, stack: string, environment: string): Promise<RolloutEntity | null> {
    return manager.findOne(RolloutEntity, { where: { stack, environment, phase: Not(In([...FINAL_ROLLOUT_PHASES])) } });
  }

  /** The rollout promoted last in a stack and environment: the only one whose promotion can be undone. */
  latestPromoted(manager: EntityManager, stack: string, environment: string): Promise<RolloutEntity | null> {
    return manager.findOne(RolloutEntity, { where: { stack, environment, phase: 'promoted' }, order: { updatedAt: 'DESC' } });
  }

  async activeIds(manager: EntityManager): Promise<string[]> {
    const rows = await manager.find(RolloutEntity, { where: { phase: Not(In([...FINAL_ROLLOUT_PHASES])) }, select: { id: true } });
    return rows.map((row) => row.id);
  }

  async appendTransitions(manager: EntityManager, transitions: readonly NewRolloutTransition[]): Promise<void> {
    if (transitions.length > 0) {
      await manager.insert(RolloutTransitionEntity, [...transitions]);
    }
  }

  transitions(manager: EntityManager, rolloutId: string): Promise<RolloutTransitionEntity[]> {
    return manager.find(RolloutTransitionEntity, { where: { rolloutId }, order: { seq: 'ASC' } });
  }
}
