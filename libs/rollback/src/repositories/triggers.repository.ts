import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { ROLLBACK_SCHEMA } from '../database/rollback-schema';
import { ExecutionStatus } from '@strata/domain';
import { ExecutionEntity } from '../entities/execution.entity';
import { RollbackTriggerEntity, TriggerFiringEntity, WatchedRolloutEntity } from '../entities/trigger.entity';

export interface FiringWithExecution {
  firing: TriggerFiringEntity;
  executionStatus: ExecutionStatus | null;
}

const S = ROLLBACK_SCHEMA;
const LIVE_PHASES = ['pending', 'progressing', 'paused'];

@Injectable()
export class TriggersRepository {
  /** Creates or replaces the trigger of that name; answers it and whether it was new. */
  async upsert(manager: EntityManager, trigger: Omit<RollbackTriggerEntity, 'createdAt' | 'updatedAt' | 'lastFiredAt'>): Promise<{ trigger: RollbackTriggerEntity; created: boolean }> {
    const rows: { id: string; created: boolean }[] = await manager.query(
      `INSERT INTO "${S}".rollback_triggers (id, stack, environment, name, spec, source, rollout, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
       ON CONFLICT (stack, environment, name) DO UPDATE SET spec = EXCLUDED.spec, source = EXCLUDED.source, rollout = EXCLUDED.rollout, updated_at = now()
       RETURNING id, (xmax = 0) AS created`,
      [trigger.id, trigger.stack, trigger.environment, trigger.name, JSON.stringify(trigger.spec), trigger.source, trigger.rollout, trigger.createdBy],
    );
    const row = rows[0] as { id: string; created: boolean };
    return { trigger: (await manager.findOneBy(RollbackTriggerEntity, { id: row.id })) as RollbackTriggerEntity, created: row.created };
  }

  find(manager: EntityManager, stack: string, environment: string, name: string): Promise<RollbackTriggerEntity | null> {
    return manager.findOneBy(RollbackTriggerEntity, { stack, environment, name });
  }

  list(manager: EntityManager, stack: string, environment: string): Promise<RollbackTriggerEntity[]> {
    return manager.find(RollbackTriggerEntity, { where: { stack, environment }, order: { name: 'ASC' } });
  }

  /** Every trigger of these environments (`stack/environment` keys). */
  async ofEnvironments(manager: EntityManager, environments: readonly { stack: string; environment: string }[]): Promise<RollbackTriggerEntity[]> {
    if (environments.length === 0) return [];
    return manager.find(RollbackTriggerEntity, { where: environments.map(({ stack, environment }) => ({ stack, environment })) });
  }

  async remove(manager: EntityManager, id: string): Promise<void> {
    await manager.delete(RollbackTriggerEntity, { id });
  }

  async markFired(manager: EntityManager, id: string, at: Date): Promise<void> {
    await manager.update(RollbackTriggerEntity, { id }, { lastFiredAt: at });
  }

  /** Records a firing; false when the trigger already fired for this subject (nothing written). */
  async insertFiring(manager: EntityManager, firing: Omit<TriggerFiringEntity, 'updatedAt'>): Promise<boolean> {
    const inserted: unknown[] = await manager.query(
      `INSERT INTO "${S}".trigger_firings (id, trigger_id, stack, environment, trigger_name, "when", action, dry_run, subject, rollout, version_group, evidence, status, outcome, execution_id, fired_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)
       ON CONFLICT (trigger_id, subject) DO NOTHING RETURNING id`,
      [firing.id, firing.triggerId, firing.stack, firing.environment, firing.triggerName, firing.when, firing.action, firing.dryRun, firing.subject, firing.rollout, firing.versionGroup, firing.evidence, firing.status, firing.outcome, firing.executionId, firing.firedAt],
    );
    return inserted.length > 0;
  }

  /** When a trigger of the environment last acted (dry runs do not count), or null. */
  /** The last time a trigger of the environment acted (not a dry run), on anything or on one rollout. */
  async lastActed(manager: EntityManager, stack: string, environment: string, rollout?: string): Promise<Date | null> {
    const rows: { at: Date | null }[] =
      rollout === undefined
        ? await manager.query(`SELECT max(fired_at) AS at FROM "${S}".trigger_firings WHERE stack = $1 AND environment = $2 AND NOT dry_run`, [stack, environment])
        : await manager.query(`SELECT max(fired_at) AS at FROM "${S}".trigger_firings WHERE stack = $1 AND environment = $2 AND rollout = $3 AND NOT dry_run`, [stack, environment, rollout]);
    return rows[0]?.at ?? null;
  }

  /** Newest first, each with the status its backward execution has now (null without one). */
  async firings(manager: EntityManager, filter: { stack: string; environment: string; triggerId?: string }, limit: number): Promise<FiringWithExecution[]> {
    const query = manager
      .createQueryBuilder(TriggerFiringEntity, 'firing')
      .leftJoin(ExecutionEntity, 'execution', 'execution.id = firing.executionId')
      .addSelect('execution.status', 'execution_status')
      .where('firing.stack = :stack AND firing.environment = :environment', { stack: filter.stack, environment: filter.environment })
      .orderBy('firing.firedAt', 'DESC')
      .limit(limit);
    if (filter.triggerId) query.andWhere('firing.triggerId = :triggerId', { triggerId: filter.triggerId });
    const { entities, raw } = await query.getRawAndEntities<{ execution_status: ExecutionStatus | null }>();
    return entities.map((firing, index) => ({ firing, executionStatus: raw[index]?.execution_status ?? null }));
  }

  /** The firings whose backward execution waits to start, locked; another replica skips them. */
  pendingBackward(manager: EntityManager, limit: number, skip = 0): Promise<TriggerFiringEntity[]> {
    return manager
      .getRepository(TriggerFiringEntity)
      .createQueryBuilder('firing')
      .where('firing.status = :status', { status: 'backward-pending' })
      .orderBy('firing.firedAt', 'ASC')
      .offset(skip)
      .limit(limit)
      .setLock('pessimistic_write')
      .setOnLocked('skip_locked')
      .getMany();
  }

  async settleFiring(manager: EntityManager, id: string, change: Pick<TriggerFiringEntity, 'status' | 'outcome' | 'executionId'>): Promise<void> {
    await manager.update(TriggerFiringEntity, { id }, { ...change, updatedAt: new Date() });
  }

  async watchRollout(manager: EntityManager, rollout: Omit<WatchedRolloutEntity, 'updatedAt'>, created: boolean): Promise<void> {
    await manager.query(
      `INSERT INTO "${S}".watched_rollouts (stack, rollout, environment, version_group, phase, canary_weight, started_at)
       VALUES ($1, $2, $3, $4, $5, $6, $7)
       ON CONFLICT (stack, rollout) DO UPDATE SET environment = EXCLUDED.environment, version_group = EXCLUDED.version_group, phase = EXCLUDED.phase,
         canary_weight = EXCLUDED.canary_weight, started_at = CASE WHEN $8 THEN EXCLUDED.started_at ELSE watched_rollouts.started_at END, updated_at = now()`,
      [rollout.stack, rollout.rollout, rollout.environment, rollout.versionGroup, rollout.phase, rollout.canaryWeight, rollout.startedAt, created],
    );
  }

  watchedRollout(manager: EntityManager, stack: string, rollout: string): Promise<WatchedRolloutEntity | null> {
    return manager.findOneBy(WatchedRolloutEntity, { stack, rollout });
  }

  /** Rollouts not yet promoted or aborted, of one environment or (none given) of all. */
  liveRollouts(manager: EntityManager, where?: { stack: string; environment: string }): Promise<WatchedRolloutEntity[]> {
    return manager.find(WatchedRolloutEntity, { where: { phase: In(LIVE_PHASES), ...(where ?? {}) } });
  }
}
