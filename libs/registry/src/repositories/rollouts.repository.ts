import { Injectable } from '@nestjs/common';
import { RolloutDeclarationAnsweredV1 } from '@strata/contracts';
import { RolloutPhase } from '@strata/domain';
import { EntityManager, In } from 'typeorm';
import { DeclaredRolloutEntity } from '../entities/declared-rollout.entity';
import { StackEntity } from '../entities/stack.entity';

export type NewDeclaration = Pick<DeclaredRolloutEntity, 'stackId' | 'name' | 'spec' | 'checksum' | 'declaredBy'> & { id?: string };

/** The only code touching declared rollouts. */
@Injectable()
export class RolloutsRepository {
  find(manager: EntityManager, stackId: string, name: string): Promise<DeclaredRolloutEntity | null> {
    return manager.findOne(DeclaredRolloutEntity, { where: { stackId, name } });
  }

  findByIds(manager: EntityManager, ids: readonly string[]): Promise<DeclaredRolloutEntity[]> {
    return ids.length === 0 ? Promise.resolve([]) : manager.find(DeclaredRolloutEntity, { where: { id: In([...ids]) } });
  }

  /** Stores a declaration (new, changed, or the same once more) as not answered yet. */
  async declare(manager: EntityManager, declaration: NewDeclaration): Promise<DeclaredRolloutEntity> {
    return manager.save(
      manager.create(DeclaredRolloutEntity, {
        ...declaration,
        declaredAt: new Date(),
        status: 'pending',
        refusal: null,
        reason: null,
        violations: [],
        rolloutId: null,
        phase: null,
        answeredAt: null,
      }),
    );
  }

  /**
   * Records routing-control's answer on the declaration it answers: an answer to a checksum the
   * stack's Rollout no longer has (the manifest changed since) is left out.
   */
  async recordAnswer(manager: EntityManager, answer: RolloutDeclarationAnsweredV1, answeredAt: Date): Promise<void> {
    const stack = await manager.findOne(StackEntity, { where: { name: answer.stack }, select: { id: true } });
    if (!stack) {
      return;
    }
    const outcome =
      answer.outcome === 'started'
        ? { status: 'started' as const, rolloutId: answer.rolloutId, phase: answer.phase, refusal: null, reason: null, violations: [] }
        : { status: 'refused' as const, rolloutId: null, phase: null, refusal: answer.refusal, reason: answer.reason, violations: answer.violations };
    await manager.update(DeclaredRolloutEntity, { stackId: stack.id, name: answer.rollout, checksum: answer.checksum }, { ...outcome, answeredAt });
  }

  /** Keeps a started declaration's phase current as routing-control moves its rollout. */
  async recordPhase(manager: EntityManager, stackName: string, name: string, phase: RolloutPhase): Promise<void> {
    const stack = await manager.findOne(StackEntity, { where: { name: stackName }, select: { id: true } });
    if (stack) {
      await manager.update(DeclaredRolloutEntity, { stackId: stack.id, name, status: 'started' }, { phase });
    }
  }
}
