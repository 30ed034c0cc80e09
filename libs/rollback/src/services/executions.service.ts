import { Injectable } from '@nestjs/common';
import { DomainError, DomainErrorCode, DomainViolation, ExecutionMember, ExecutionPlan, ExecutionStatus, newExecution, planDeploy, planRollback, rolloutSpecViolations, transition } from '@strata/domain';
import { isUniqueViolation } from '@strata/persistence';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { CatalogVersionEntity } from '../entities/catalog.entity';
import { ExecutionEntity, ExecutionStepEntity } from '../entities/execution.entity';
import { LayerExecutorRegistry } from '../executors/layer-executor';
import { CatalogRepository } from '../repositories/catalog.repository';
import { ExecutionFilter, ExecutionsRepository } from '../repositories/executions.repository';
import { RollbackTransactions } from '../repositories/transactions';
import { ExecutionEvents } from './execution-events';
import { assertKnownEnvironment } from './known-environments';
import { applyExecutionState, toExecutionState } from './execution-state.mapper';

export interface DeployRequest {
  stack: string;
  environment: string;
  versionGroup: string;
  dryRun: boolean;
  /** Move the traffic through a canary rollout: its `steps` and `rollbackTriggers`, as a Rollout spec has them. */
  canary?: Record<string, unknown>;
}

export interface RollbackRequest {
  stack: string;
  environment: string;
  to?: string;
  dryRun: boolean;
  reason?: string;
}

export interface PlannedStepView {
  index: number;
  action: string;
  component: string;
  type: string;
  fromVersion: string | null;
  toVersion: string | null;
  /** What the step will run: SQL, requests, waits. */
  run: string[];
}

export type ExecutionRequestOutcome = { dryRun: true; plan: { kind: string; versionGroup: string; fromVersionGroup: string | null; steps: PlannedStepView[] } } | { dryRun: false; execution: ExecutionEntity };

/** How long a stop waits for the runner to let go of the execution before answering 409. */
const STOP_LOCK_WAIT_MS = 5_000;

/** Deploys and rollbacks as executions: planned from what is deployed, checked before they start, one at a time per stack and environment. */
@Injectable()
export class ExecutionsService {
  constructor(
    private readonly executions: ExecutionsRepository,
    private readonly catalog: CatalogRepository,
    private readonly transactions: RollbackTransactions,
    private readonly executors: LayerExecutorRegistry,
    private readonly events: ExecutionEvents,
  ) {}

  deploy(request: DeployRequest, actor: string, within?: EntityManager): Promise<ExecutionRequestOutcome> {
    return this.transactions.run(async (manager) => {
      await this.assertEnvironment(manager, request.stack, request.environment);
      const group = await this.catalog.group(manager, request.stack, request.versionGroup);
      if (!group) {
        throw DomainError.notYetKnown(`no version group ${request.versionGroup} in stack ${request.stack}`, [
          // The registry's event of a group just created may still be on its way: its own problem type (not-yet-known) tells callers to retry.
          { field: 'versionGroup', message: `no version group '${request.versionGroup}' of stack '${request.stack}' has reached the rollback service (not registered, or still on its way)` },
        ]);
      }
      const targets = await this.definitions(manager, request.stack, group.members, 'versionGroup');
      const deployed = await this.deployedMembers(manager, request.stack, request.environment);
      const [current] = await this.catalog.history(manager, request.stack, request.environment, 1);
      const planned = planDeploy({ toVersionGroup: group.name, fromVersionGroup: current ?? null, members: targets.map(asMember), deployed: deployed.map(asMember) });
      if (request.canary) assertCanary(request, current);
      return this.begin(manager, request, 'deploy', planned, [...targets, ...deployed], actor, null);
    }, within);
  }

  rollback(request: RollbackRequest, actor: string, within?: EntityManager): Promise<ExecutionRequestOutcome> {
    return this.transactions.run(async (manager) => {
      await this.assertEnvironment(manager, request.stack, request.environment);
      const history = await this.catalog.history(manager, request.stack, request.environment);
      // An abandoned deploy leaves what it applied applied, but never reaches the history: the group it
      // half-brought is what is rolled back from, and by default back to the one it left (not the one before).
      const latest = await this.executions.latest(manager, request.stack, request.environment);
      const abandoned = latest?.kind === 'deploy' && latest.status === 'abandoned' && latest.versionGroup !== history[0] ? latest.versionGroup : undefined;
      const current = abandoned ?? history[0];
      const to = request.to ?? (abandoned ? history[0] : history.find((candidate) => candidate !== current));
      if (!current || !to) {
        const why = current ? `only ${current} was ever deployed there` : 'no version group was deployed there';
        throw DomainError.invalid(`nothing to roll back to in ${request.stack}/${request.environment}`, [{ field: 'to', message: `there is no previous version group to roll back to: ${why}` }]);
      }
      const group = await this.catalog.group(manager, request.stack, to);
      if (!group) {
        throw DomainError.invalid(`no version group ${to} in stack ${request.stack}`, [{ field: 'to', message: `no version group '${to}' is registered in stack '${request.stack}'` }]);
      }
      const targets = await this.definitions(manager, request.stack, group.members, 'to');
      const deployed = await this.deployedMembers(manager, request.stack, request.environment);
      const planned = planRollback({ toVersionGroup: to, fromVersionGroup: current, members: targets.map(asMember), deployed: deployed.map(asMember) });
      return this.begin(manager, { ...request, versionGroup: to }, 'rollback', planned, [...targets, ...deployed], actor, request.reason ?? null);
    }, within);
  }

  async get(id: string): Promise<ExecutionEntity> {
    const execution = await this.executions.get(this.transactions.reader, id);
    if (!execution) throw DomainError.notFound('execution', id);
    return execution;
  }

  list(filter: ExecutionFilter, limit: number, after?: { at: Date; id: string }): Promise<ExecutionEntity[]> {
    return this.executions.list(this.transactions.reader, filter, limit, after);
  }

  /** A failed execution runs again from its failed step (after the operator fixed the cause). */
  retry(id: string): Promise<ExecutionEntity> {
    return this.command(id, 'retry');
  }

  /** A failed execution is given up: it frees the stack and environment, and what it applied stays applied (the version map says so). */
  abandon(id: string, within?: EntityManager): Promise<ExecutionEntity> {
    return this.command(id, 'abandon', within);
  }

  /**
   * An operator stops a running execution: its current step fails with who stopped it and why, as if
   * its executor had failed it (the version map puts back the slots not reached; retry or abandon
   * next). A step applying something right now holds the execution's lock: refused, try again. A
   * canary rollout the step follows is asked to abort, so its traffic goes back to the stable group.
   */
  stop(id: string, actor: string, reason: string | undefined): Promise<ExecutionEntity> {
    return this.transactions.run(async (manager) => {
      const execution = await this.executions.get(manager, id);
      if (!execution) throw DomainError.notFound('execution', id);
      const locked = await this.executions.lockWaiting(manager, id, STOP_LOCK_WAIT_MS);
      if (!locked) throw new DomainError(DomainErrorCode.Conflict, `execution ${id} has been applying a step for over ${STOP_LOCK_WAIT_MS / 1_000} s; try again when the step has settled`);
      const error = `stopped by ${actor}${reason ? `: ${reason}` : ''}`;
      applyExecutionState(locked, transition(toExecutionState(locked), { type: 'stop', at: Date.now(), error }));
      const step = locked.steps.find((candidate) => candidate.status === 'failed') as ExecutionStepEntity;
      const rollout = step.action === 'traffic' && step.detail.phase === 'rollout' ? (step.detail.rollout as string) : undefined;
      if (rollout) step.detail = { ...step.detail, outcome: `canary rollout ${rollout} asked to abort` };
      await this.executions.saveExecution(manager, locked);
      await this.executions.saveStep(manager, step);
      if (rollout) await this.events.requestRolloutAbort(manager, locked, step, rollout, error);
      await this.events.record(manager, locked, 'step-failed', step);
      await this.events.record(manager, locked, 'failed', step);
      return (await this.executions.get(manager, id)) as ExecutionEntity;
    });
  }

  /**
   * A canary rollout that starts after the traffic step asking for it failed or was stopped has no one
   * following it: asked to abort, so its traffic goes back to stable. Routing-control reads the abort
   * and the request on consumer groups of their own, so an abort sent at the stop can arrive first
   * and find nothing to abort.
   */
  async abortOrphanedRollout(manager: EntityManager, stack: string, rollout: string): Promise<void> {
    const execution = await this.executions.failedOnRollout(manager, stack, rollout);
    const step = execution?.steps.find((candidate) => candidate.action === 'traffic' && candidate.status === 'failed');
    if (!execution || !step) return;
    await this.events.requestRolloutAbort(manager, execution, step, rollout, `started after its traffic step had failed: ${step.error ?? 'no error recorded'}`);
  }

  /** The execution holding a stack and environment (running, or failed and not yet given up), if any. */
  holder(stack: string, environment: string, within: EntityManager): Promise<ExecutionEntity | null> {
    return this.executions.active(within, stack, environment);
  }

  /** The version group serving there: the last one an execution completed. */
  async serving(stack: string, environment: string, within: EntityManager): Promise<string | null> {
    return (await this.catalog.history(within, stack, environment, 1))[0] ?? null;
  }

  /** An execution applies each layer for real (a db-schema step migrates the database its component names): a mistyped environment must not run one. */
  private assertEnvironment(manager: EntityManager, stack: string, environment: string): Promise<void> {
    return assertKnownEnvironment(this.catalog, manager, stack, environment, 'allow');
  }

  private command(id: string, command: 'retry' | 'abandon', within?: EntityManager): Promise<ExecutionEntity> {
    return this.transactions.run(async (manager) => {
      const execution = await this.executions.get(manager, id);
      if (!execution) throw DomainError.notFound('execution', id);
      const locked = await this.executions.lock(manager, id);
      if (!locked) throw new DomainError(DomainErrorCode.Conflict, `execution ${id} is being advanced right now; try again`);
      applyExecutionState(locked, transition(toExecutionState(locked), { type: command, at: Date.now() }));
      await this.executions.saveExecution(manager, locked);
      for (const step of locked.steps) await this.executions.saveStep(manager, step);
      await this.events.record(manager, locked, command === 'retry' ? 'retried' : 'abandoned', null);
      return (await this.executions.get(manager, id)) as ExecutionEntity;
    }, within);
  }

  private async begin(
    manager: EntityManager,
    request: { stack: string; environment: string; versionGroup: string; dryRun: boolean; canary?: Record<string, unknown> },
    kind: 'deploy' | 'rollback',
    planned: ReturnType<typeof planDeploy>,
    definitions: readonly CatalogVersionEntity[],
    actor: string,
    reason: string | null,
  ): Promise<ExecutionRequestOutcome> {
    if (!planned.ok) {
      throw DomainError.invalid(planned.message, [{ field: kind === 'deploy' ? 'versionGroup' : 'to', message: planned.message }]);
    }
    const byKey = new Map(definitions.map((definition) => [`${definition.component}@${definition.version}`, definition]));
    const contexts = planned.plan.steps.map((step) => {
      const moved = step.action === 'revert' ? step.fromVersion : step.toVersion;
      return {
        step,
        version: step.action === 'traffic' ? null : (byKey.get(`${step.component}@${moved}`) ?? null),
        restored: step.action === 'revert' && step.toVersion !== null ? (byKey.get(`${step.component}@${step.toVersion}`) ?? null) : null,
      };
    });
    const problems: DomainViolation[] = contexts.flatMap((context) => {
      const problem = this.executors.of(context.step.type).preflight?.(context as never);
      return problem ? [problem] : [];
    });
    if (problems.length > 0) {
      throw DomainError.invalid(`the ${kind} of ${request.versionGroup} to ${request.stack}/${request.environment} cannot run`, problems);
    }
    if (request.dryRun) {
      return { dryRun: true, plan: this.planView(planned.plan, contexts) };
    }
    const active = await this.executions.active(manager, request.stack, request.environment);
    if (active) throw this.busy(active);
    const id = randomUUID();
    const state = transition(newExecution(id, planned.plan), { type: 'start', at: Date.now() });
    const status: ExecutionStatus = state.status;
    try {
      await manager.query('SAVEPOINT execution_insert');
      await this.executions.insert(
        manager,
        { id, kind, stack: request.stack, environment: request.environment, versionGroup: request.versionGroup, fromVersionGroup: planned.plan.fromVersionGroup, status, reason, actor, canary: request.canary ?? null },
        state.steps.map((step) => ({ executionId: id, index: step.index, action: step.action, component: step.component, type: step.type, fromVersion: step.fromVersion, toVersion: step.toVersion, status: step.status, idempotencyKey: step.idempotencyKey, error: null, detail: {}, startedAt: null, finishedAt: null })),
      );
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      await manager.query('ROLLBACK TO SAVEPOINT execution_insert');
      const holder = await this.executions.active(manager, request.stack, request.environment);
      throw holder ? this.busy(holder) : error;
    }
    const execution = (await this.executions.get(manager, id)) as ExecutionEntity;
    await this.events.record(manager, execution, 'started', null);
    if (status === 'succeeded') {
      await this.catalog.pushHistory(manager, execution.stack, execution.environment, execution.versionGroup, execution.id);
      await this.events.record(manager, execution, 'succeeded', null);
    }
    return { dryRun: false, execution };
  }

  private busy(active: ExecutionEntity): DomainError {
    const next = active.status === 'failed' ? 'retry or abandon it first' : 'wait for it to finish';
    return new DomainError(DomainErrorCode.Conflict, `execution ${active.id} (${active.kind} of ${active.versionGroup}, ${active.status}) holds ${active.stack}/${active.environment}: ${next}`);
  }

  private planView(plan: ExecutionPlan, contexts: { step: ExecutionPlan['steps'][number]; version: CatalogVersionEntity | null; restored: CatalogVersionEntity | null }[]) {
    return {
      kind: plan.kind,
      versionGroup: plan.toVersionGroup,
      fromVersionGroup: plan.fromVersionGroup,
      steps: contexts.map((context) => ({
        index: context.step.index,
        action: context.step.action,
        component: context.step.component,
        type: context.step.type,
        fromVersion: context.step.fromVersion,
        toVersion: context.step.toVersion,
        run: this.executors.of(context.step.type).describe(context as never),
      })),
    };
  }

  /** The definitions of a group's members; one the registry's events have not brought yet is named. */
  private async definitions(manager: EntityManager, stack: string, members: readonly { component: string; version: string }[], field: string): Promise<CatalogVersionEntity[]> {
    const found = await this.catalog.versions(manager, stack, members);
    const missing = members.filter((member) => !found.has(`${member.component}@${member.version}`));
    if (missing.length > 0) {
      throw DomainError.notYetKnown(`the rollback service does not know every member of the group yet`, missing.map((member) => ({ field, message: `${member.component}@${member.version}: its definition has not reached the rollback service (registered before this release, or still on its way)` })));
    }
    return members.map((member) => found.get(`${member.component}@${member.version}`) as CatalogVersionEntity);
  }

  private async deployedMembers(manager: EntityManager, stack: string, environment: string): Promise<CatalogVersionEntity[]> {
    const deployed = await this.catalog.deployed(manager, stack, environment);
    const found = await this.catalog.versions(manager, stack, deployed);
    return deployed.flatMap((slot) => found.get(`${slot.component}@${slot.version}`) ?? []);
  }
}

/** A canary needs a group already taking the traffic, and a spec routing-control will take (named under `canary`). */
function assertCanary(request: DeployRequest, current: string | undefined): void {
  if (!current) {
    throw DomainError.invalid('a canary needs a version group taking the traffic already', [{ field: 'canary', message: `nothing is deployed to ${request.stack}/${request.environment} yet: deploy without a canary first` }]);
  }
  const violations = rolloutSpecViolations({ ...request.canary, environment: request.environment, versionGroup: request.versionGroup });
  if (violations.length > 0) {
    throw DomainError.invalid(`the canary has ${violations.length} violation(s)`, violations.map((violation) => ({ ...violation, field: violation.field === '' ? 'canary' : `canary.${violation.field}` })));
  }
}

function asMember(version: CatalogVersionEntity): ExecutionMember {
  return { component: version.component, type: version.type, version: version.version, dependencies: version.dependencies };
}
