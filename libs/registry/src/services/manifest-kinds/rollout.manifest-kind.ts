import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DomainError, DomainViolation, ManifestDocument, RolloutPhase, canonicalJson, rolloutSpecViolations } from '@strata/domain';
import { EventOutbox } from '@strata/messaging';
import { EntityManager } from 'typeorm';
import { DeclaredRolloutEntity } from '../../entities/declared-rollout.entity';
import { StackEntity } from '../../entities/stack.entity';
import { RolloutsRepository } from '../../repositories/rollouts.repository';
import { StacksRepository } from '../../repositories/stacks.repository';
import { VersionGroupsRepository } from '../../repositories/version-groups.repository';
import { ApplyAction, AppliedChange, ManifestApplication, ManifestKindHandler, RolloutOutcome, changeOf, inSpec } from './manifest-kind';

/** The declaration's answer as the apply reports it. */
export function outcomeOf(declaration: DeclaredRolloutEntity, waitMs: number): RolloutOutcome {
  switch (declaration.status) {
    case 'started':
      return { status: 'started', rolloutId: declaration.rolloutId as string, phase: declaration.phase as RolloutPhase };
    case 'refused':
      return { status: 'refused', refusal: declaration.refusal ?? 'invalid', reason: declaration.reason ?? 'refused', violations: declaration.violations };
    case 'pending':
      return { status: 'pending', reason: waitMs > 0 ? `routing-control has not answered within ${waitMs / 1_000} s` : 'routing-control has not answered yet (waitSeconds=0)' };
  }
}

export function outcomeDetail(outcome: RolloutOutcome, stack: string): string {
  switch (outcome.status) {
    case 'started':
      return `started as rollout ${outcome.rolloutId} (${outcome.phase}): GET /v1/rollouts/${outcome.rolloutId}`;
    case 'refused':
      return `refused by routing-control: ${outcome.reason}`;
    case 'pending':
      return `pending: ${outcome.reason}; apply the manifest again to see its answer, or GET /v1/rollouts?stack=${stack}`;
  }
}

/**
 * A Rollout: declared to routing-control, which runs it and may still refuse it. What the registry
 * can check itself (the spec, the stack's environments and groups) refuses the whole manifest.
 */
@Injectable()
export class RolloutManifestKind implements ManifestKindHandler {
  readonly kind = 'Rollout';
  readonly order = 4;
  readonly fieldPrefix = '';

  constructor(
    private readonly stacks: StacksRepository,
    private readonly versionGroups: VersionGroupsRepository,
    private readonly rollouts: RolloutsRepository,
    private readonly events: EventOutbox,
  ) {}

  scope(document: ManifestDocument): string {
    return `stack:${document.metadata['stack'] ?? ''}`;
  }

  async apply({ document, actor, dryRun, manager }: ManifestApplication): Promise<AppliedChange> {
    const { metadata, spec } = document;
    const stackName = metadata['stack'] as string;
    const name = metadata['name'] as string;
    const stack = await this.stacks.findByName(manager, stackName);
    if (!stack) {
      throw DomainError.notFound('stack', stackName);
    }
    const violations = await this.violations(stack, spec, manager);
    if (violations.length > 0) {
      throw DomainError.invalid(`the rollout has ${violations.length} violation(s)`, violations);
    }
    const checksum = `sha256:${createHash('sha256').update(canonicalJson(spec)).digest('hex')}`;
    const existing = await this.rollouts.find(manager, stack.id, name);
    const same = existing?.checksum === checksum;
    if (same && existing.status === 'started') {
      // Declared and started before: nothing to declare, and its answer is known.
      const outcome = outcomeOf(existing, 0);
      return { ...changeOf(document, name, 'unchanged', outcomeDetail(outcome, stackName)), ...(dryRun ? {} : { rollout: outcome }) };
    }
    // New, changed, or the same declaration once more after a refusal (its cause may be fixed since) or no answer.
    const row = await this.rollouts.declare(manager, { ...(existing ? { id: existing.id } : {}), stackId: stack.id, name, spec, checksum, declaredBy: actor });
    await this.events.record(manager, this.events.create('io.strata.registry.rollout.declared.v1', stackName, { stack: stackName, rollout: name, spec, checksum, actor }));
    const action: ApplyAction = same ? 'unchanged' : existing ? 'update' : 'create';
    const detail = dryRun ? `valid; applying declares it to routing-control${same ? ' again' : ''}, which starts or refuses it` : 'declared to routing-control; no answer yet';
    return { ...changeOf(document, name, action, detail), declaration: { row, stack: stackName } };
  }

  /** The spec as the domain validates it, then what only the registry knows: the stack's environments and version groups. */
  private async violations(stack: StackEntity, spec: Record<string, unknown>, manager: EntityManager): Promise<DomainViolation[]> {
    const violations = inSpec(rolloutSpecViolations(spec));
    if (violations.length > 0) {
      return violations;
    }
    const environment = spec['environment'] as string;
    if (!stack.environments.some((known) => known.name === environment)) {
      violations.push({ field: 'spec.environment', message: `is not an environment of stack ${stack.name} (it has ${stack.environments.map((known) => known.name).sort().join(', ')})` });
    }
    const versionGroup = spec['versionGroup'] as string;
    if (!(await this.versionGroups.find(manager, stack.id, versionGroup))) {
      violations.push({ field: 'spec.versionGroup', message: `is not a version group of stack ${stack.name}` });
    }
    return violations;
  }
}
