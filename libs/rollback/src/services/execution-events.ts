import { Injectable } from '@nestjs/common';
import { ExecutionChangedV1 } from '@strata/contracts';
import { EventOutbox } from '@strata/messaging';
import { EntityManager } from 'typeorm';
import { CatalogRepository } from '../repositories/catalog.repository';
import { ExecutionsRepository } from '../repositories/executions.repository';
import { NotificationsService } from './notifications.service';

/** The execution changes notification channels are told about. */
const NOTIFIED = { started: 'execution-started', succeeded: 'execution-succeeded', failed: 'execution-failed' } as const;
import { ExecutionEntity, ExecutionStepEntity } from '../entities/execution.entity';

/** Every change of an execution goes out on `strata.rollback.events` and into the audit trail, in the transaction that made it. */
@Injectable()
export class ExecutionEvents {
  constructor(
    private readonly events: EventOutbox,
    private readonly catalog: CatalogRepository,
    private readonly executions: ExecutionsRepository,
    private readonly notifications: NotificationsService,
  ) {}

  /** Asks routing-control to abort the canary rollout an execution's traffic step follows (one request per stop of the step). */
  async requestRolloutAbort(manager: EntityManager, execution: ExecutionEntity, step: ExecutionStepEntity, rollout: string, reason: string): Promise<void> {
    const { stack, environment } = execution;
    await this.events.record(
      manager,
      this.events.create('io.strata.rollback.rollout.abort-requested.v1', stack, { requestId: `execution-stop:${step.idempotencyKey}:${step.finishedAt?.getTime() ?? 0}`, stack, environment, rollout, reason: `execution ${execution.id} ${reason}`.slice(0, 2_000), actor: `execution:${execution.id}` }),
    );
  }

  async record(manager: EntityManager, execution: ExecutionEntity, change: ExecutionChangedV1['change'], step: ExecutionStepEntity | null): Promise<void> {
    const group = await this.catalog.group(manager, execution.stack, execution.versionGroup);
    const data: ExecutionChangedV1 = {
      executionId: execution.id,
      kind: execution.kind,
      stack: execution.stack,
      environment: execution.environment,
      versionGroup: execution.versionGroup,
      fromVersionGroup: execution.fromVersionGroup,
      change,
      status: execution.status,
      step: step
        ? { index: step.index, action: step.action, component: step.component, type: step.type, fromVersion: step.fromVersion, toVersion: step.toVersion, error: step.error?.slice(0, 4_000) ?? null }
        : null,
      members: group?.members ?? [],
      reverted: execution.steps
        .filter((candidate) => candidate.action === 'revert' && candidate.fromVersion !== null)
        .map((candidate) => ({ component: candidate.component, fromVersion: candidate.fromVersion as string, toVersion: candidate.toVersion })),
      actor: execution.actor,
    };
    await this.events.record(manager, this.events.create('io.strata.rollback.execution.changed.v1', execution.stack, data));
    await this.executions.audit(manager, {
      at: new Date(),
      principal: execution.actor,
      change,
      executionId: execution.id,
      ok: change !== 'step-failed' && change !== 'failed',
      after: { status: execution.status, versionGroup: execution.versionGroup, kind: execution.kind, step: data.step },
    });
    if (change === 'started' || change === 'succeeded' || change === 'failed') {
      const failed = execution.steps.find((candidate) => candidate.status === 'failed');
      const what = `${execution.kind} of ${execution.versionGroup}${execution.fromVersionGroup ? ` (from ${execution.fromVersionGroup})` : ''}`;
      await this.notifications.enqueue(manager, {
        event: NOTIFIED[change],
        stack: execution.stack,
        environment: execution.environment,
        subject: { kind: 'execution', id: execution.id, versionGroup: execution.versionGroup },
        summary: failed ? `${what} failed at step ${failed.index + 1} (${failed.action} ${failed.component}): ${failed.error ?? ''}` : `${what} ${change} (by ${execution.actor}${execution.reason ? `: ${execution.reason}` : ''})`,
        at: new Date().toISOString(),
        details: { executionId: execution.id, kind: execution.kind, status: execution.status, versionGroup: execution.versionGroup, fromVersionGroup: execution.fromVersionGroup, failedStep: data.step && failed ? data.step : null },
      });
    }
  }
}
