import { Injectable } from '@nestjs/common';
import { RollbackTriggerSpec } from '@strata/domain';
import { EventOutbox } from '@strata/messaging';
import { Logger } from '@strata/observability';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { RollbackTriggerEntity, TriggerFiringEntity } from '../entities/trigger.entity';
import { TriggersRepository } from '../repositories/triggers.repository';
import { NotificationsService } from './notifications.service';

/** What a trigger fires about: a live rollout (its group is the canary), or the group deployed. */
export interface TriggerSubject {
  /** One firing per trigger and key: a rollout is aborted once, whatever keeps holding. */
  key: string;
  rollout: string | null;
  versionGroup: string | null;
  component: string | null;
}

/**
 * Carries out a firing in the caller's transaction: the record of it, the trigger's last firing
 * time (its cool-down), the `trigger.fired` event and notification, and unless it is a dry run the
 * rollout's abort request (routing-control drains the canary at once). A `rollback` action leaves
 * the firing `backward-pending`: BackwardExecutions starts the backward execution as soon as the
 * stack and environment are free (an aborted canary deploy has to fail its traffic step first).
 */
@Injectable()
export class TriggerFirer {
  private readonly logger = new Logger('rollback-triggers').child({ service: 'rollback' });

  constructor(
    private readonly triggers: TriggersRepository,
    private readonly events: EventOutbox,
    private readonly notifications: NotificationsService,
  ) {}

  /** False when the trigger had already fired for this subject (nothing done again). */
  async fire(manager: EntityManager, trigger: RollbackTriggerEntity, spec: RollbackTriggerSpec, subject: TriggerSubject, evidence: string, now: Date): Promise<boolean> {
    const { status, outcome } = plannedOutcome(spec, subject);
    const firing: Omit<TriggerFiringEntity, 'updatedAt'> = {
      id: randomUUID(),
      triggerId: trigger.id,
      stack: trigger.stack,
      environment: trigger.environment,
      triggerName: trigger.name,
      when: spec.when,
      action: spec.action,
      dryRun: spec.dryRun,
      subject: subject.key,
      rollout: subject.rollout,
      versionGroup: subject.versionGroup,
      evidence: evidence.slice(0, 4_000),
      status,
      outcome,
      executionId: null,
      firedAt: now,
    };
    if (!(await this.triggers.insertFiring(manager, firing))) return false;
    await this.triggers.markFired(manager, trigger.id, now);
    const { stack, environment } = trigger;
    if (!spec.dryRun && subject.rollout !== null) {
      await this.events.record(
        manager,
        this.events.create('io.strata.rollback.rollout.abort-requested.v1', stack, {
          requestId: `trigger-firing:${firing.id}`,
          stack,
          environment,
          rollout: subject.rollout,
          reason: `rollback trigger ${trigger.name} fired: "${spec.when}" held: ${firing.evidence}`.slice(0, 2_000),
          actor: `rollback-trigger:${trigger.name}`,
        }),
      );
    }
    await this.events.record(
      manager,
      this.events.create('io.strata.rollback.trigger.fired.v1', stack, { firingId: firing.id, stack, environment, trigger: trigger.name, when: spec.when, action: spec.action, dryRun: spec.dryRun, rollout: subject.rollout, versionGroup: subject.versionGroup, evidence: firing.evidence, outcome }),
    );
    await this.notifications.enqueue(manager, {
      event: 'trigger-fired',
      stack,
      environment,
      subject: { kind: 'trigger', id: trigger.name, versionGroup: subject.versionGroup ?? '' },
      summary: `${spec.dryRun ? '[dry run] ' : ''}rollback trigger ${trigger.name} fired on ${subject.rollout ? `rollout ${subject.rollout}` : `group ${subject.versionGroup}`}: ${outcome}`,
      at: now.toISOString(),
      details: { firingId: firing.id, when: spec.when, action: spec.action, dryRun: spec.dryRun, rollout: subject.rollout, versionGroup: subject.versionGroup, evidence: firing.evidence },
    });
    this.logger.warn('rollback trigger fired', { trigger: trigger.name, stack, environment, subject: subject.key, dryRun: spec.dryRun, outcome, evidence: firing.evidence });
    return true;
  }
}

function plannedOutcome(spec: RollbackTriggerSpec, subject: TriggerSubject): Pick<TriggerFiringEntity, 'status' | 'outcome'> {
  const abort = subject.rollout ? `abort rollout ${subject.rollout}` : null;
  const backward = `roll every layer of ${subject.versionGroup ?? 'the group'} back`;
  const planned = spec.action === 'rollback' ? [abort, backward].filter(Boolean).join(', then ') : (abort ?? `nothing: no rollout of ${subject.versionGroup} is live, and action abort only moves a rollout's traffic`);
  if (spec.dryRun) return { status: 'recorded', outcome: `dry run: would ${planned}` };
  if (spec.action === 'rollback') return { status: 'backward-pending', outcome: `${planned} (backward execution waiting to start)` };
  return { status: 'done', outcome: abort ? `${abort} requested` : planned };
}
