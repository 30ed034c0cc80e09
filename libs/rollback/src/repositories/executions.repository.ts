import { Injectable } from '@nestjs/common';
import { ExecutionStatus } from '@strata/domain';
import { EntityManager, In } from 'typeorm';
import { ExecutionEntity, ExecutionStepEntity } from '../entities/execution.entity';

/** PostgreSQL's `lock_not_available`: a lock_timeout ran out. */
const LOCK_NOT_AVAILABLE = '55P03';

export interface ExecutionFilter {
  stack?: string;
  environment?: string;
  status?: ExecutionStatus;
}

/** Statuses that hold the stack and environment: one such execution at a time (a unique index says so). */
export const ACTIVE_STATUSES: ExecutionStatus[] = ['pending', 'running', 'failed'];

/** The only code touching executions and their steps. */
@Injectable()
export class ExecutionsRepository {
  async insert(manager: EntityManager, execution: Omit<ExecutionEntity, 'steps' | 'createdAt' | 'updatedAt'>, steps: Omit<ExecutionStepEntity, 'execution'>[]): Promise<void> {
    // `canary` is a JSON document TypeORM cannot type as a partial entity.
    await manager.insert(ExecutionEntity, execution as never);
    if (steps.length > 0) {
      await manager.insert(ExecutionStepEntity, steps);
    }
  }

  active(manager: EntityManager, stack: string, environment: string): Promise<ExecutionEntity | null> {
    return manager.findOne(ExecutionEntity, { where: { stack, environment, status: In(ACTIVE_STATUSES) } });
  }

  /** The execution with its steps in order, row-locked for this transaction; null if another holds the lock (it is advancing it). */
  async lock(manager: EntityManager, id: string): Promise<ExecutionEntity | null> {
    const rows = await manager.query(`SELECT id FROM "${this.schema(manager)}".executions WHERE id = $1 FOR UPDATE SKIP LOCKED`, [id]);
    return rows.length === 0 ? null : this.get(manager, id);
  }

  /**
   * The execution under its row lock, waiting up to `waitMs` for the runner's advance holding it (a
   * waiting step's check takes milliseconds); null when the lock was not had by then (a step applying
   * something, a migration say). Ends the transaction's usefulness on null: the caller refuses.
   */
  async lockWaiting(manager: EntityManager, id: string, waitMs: number): Promise<ExecutionEntity | null> {
    await manager.query(`SET LOCAL lock_timeout = ${Math.max(1, Math.trunc(waitMs))}`);
    try {
      await manager.query(`SELECT id FROM "${this.schema(manager)}".executions WHERE id = $1 FOR UPDATE`, [id]);
    } catch (error) {
      if ((error as { code?: string }).code === LOCK_NOT_AVAILABLE) return null;
      throw error;
    }
    await manager.query('SET LOCAL lock_timeout TO DEFAULT');
    return this.get(manager, id);
  }

  /** The execution whose traffic step failed (or was stopped) while waiting for the canary rollout of that name, if any. */
  async failedOnRollout(manager: EntityManager, stack: string, rollout: string): Promise<ExecutionEntity | null> {
    const rows = await manager.query<{ execution_id: string }[]>(
      `SELECT s.execution_id FROM "${this.schema(manager)}".execution_steps s JOIN "${this.schema(manager)}".executions e ON e.id = s.execution_id
       WHERE e.stack = $1 AND s.action = 'traffic' AND s.status = 'failed' AND s.detail->>'rollout' = $2 LIMIT 1`,
      [stack, rollout],
    );
    return rows[0] ? this.get(manager, rows[0].execution_id) : null;
  }

  async get(manager: EntityManager, id: string): Promise<ExecutionEntity | null> {
    const execution = await manager.findOne(ExecutionEntity, { where: { id }, relations: { steps: true } });
    execution?.steps.sort((left, right) => left.index - right.index);
    return execution;
  }

  /** The stack and environment's newest execution, whatever its status. */
  latest(manager: EntityManager, stack: string, environment: string): Promise<ExecutionEntity | null> {
    return manager.findOne(ExecutionEntity, { where: { stack, environment }, order: { createdAt: 'DESC', id: 'DESC' } });
  }

  async runningIds(manager: EntityManager): Promise<string[]> {
    const rows = await manager.find(ExecutionEntity, { where: { status: In(['pending', 'running']) }, select: { id: true }, order: { createdAt: 'ASC' } });
    return rows.map((row) => row.id);
  }

  async list(manager: EntityManager, filter: ExecutionFilter, limit: number, after: { at: Date; id: string } | undefined): Promise<ExecutionEntity[]> {
    const query = manager.createQueryBuilder(ExecutionEntity, 'execution').leftJoinAndSelect('execution.steps', 'step');
    if (filter.stack) query.andWhere('execution.stack = :stack', { stack: filter.stack });
    if (filter.environment) query.andWhere('execution.environment = :environment', { environment: filter.environment });
    if (filter.status) query.andWhere('execution.status = :status', { status: filter.status });
    if (after) query.andWhere('(execution.created_at, execution.id) < (:at, :id)', { at: after.at, id: after.id });
    const ids = await query.clone().select(['execution.id', 'execution.createdAt']).orderBy('execution.created_at', 'DESC').addOrderBy('execution.id', 'DESC').take(limit).getMany();
    if (ids.length === 0) return [];
    const executions = await manager.find(ExecutionEntity, { where: { id: In(ids.map((row) => row.id)) }, relations: { steps: true } });
    const order = new Map(ids.map((row, index) => [row.id, index]));
    executions.forEach((execution) => execution.steps.sort((left, right) => left.index - right.index));
    return executions.sort((left, right) => (order.get(left.id) ?? 0) - (order.get(right.id) ?? 0));
  }

  async saveExecution(manager: EntityManager, execution: Pick<ExecutionEntity, 'id' | 'status'>): Promise<void> {
    await manager.update(ExecutionEntity, { id: execution.id }, { status: execution.status, updatedAt: new Date() });
  }

  async saveStep(manager: EntityManager, step: ExecutionStepEntity): Promise<void> {
    await manager.update(
      ExecutionStepEntity,
      { executionId: step.executionId, index: step.index },
      { status: step.status, error: step.error, detail: step.detail, startedAt: step.startedAt, finishedAt: step.finishedAt },
    );
  }

  /**
   * An execution's change in the service's audit trail, in the transaction that made it: on behalf
   * of whoever started it, the action `EXECUTION <change>`, the target the execution's path, the
   * step (or execution) as it is after the change.
   */
  async audit(manager: EntityManager, entry: { at: Date; principal: string; change: string; executionId: string; ok: boolean; after: unknown }): Promise<void> {
    await manager.query(
      `INSERT INTO "${this.schema(manager)}".audit_log (at, principal, role, token_id, action, target, status, params, query, request, after, correlation_id)
       VALUES ($1, $2, 'operator', NULL, $3, $4, $5, $6, '{}', NULL, $7, NULL)`,
      [entry.at, entry.principal, `EXECUTION ${entry.change}`, `/v1/executions/${entry.executionId}`, entry.ok ? 200 : 500, JSON.stringify({ id: entry.executionId }), JSON.stringify(entry.after)],
    );
  }

  private schema(manager: EntityManager): string {
    return manager.connection.getMetadata(ExecutionEntity).schema ?? 'rollback';
  }
}
