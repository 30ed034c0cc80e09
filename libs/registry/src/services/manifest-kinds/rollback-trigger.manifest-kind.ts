import { Injectable } from '@nestjs/common';
import { DomainError, ManifestDocument, resourceNameProblem, rollbackTriggerViolations } from '@strata/domain';
import { EventOutbox } from '@strata/messaging';
import { StacksRepository } from '../../repositories/stacks.repository';
import { AppliedChange, ManifestApplication, ManifestKindHandler, changeOf, inSpec } from './manifest-kind';

/**
 * A RollbackTrigger (`metadata.name`, `.stack`, `.environment`; `spec` as the rollback service's
 * `PUT …/rollback-triggers/{name}` takes it): declared to the rollback service, which owns
 * triggers and creates or replaces it. The registry checks it with the same rules first, so a bad
 * one refuses the whole manifest. Applied before a Deployment (order 5): on the same partition,
 * the trigger is in place before the deploy it watches starts.
 */
@Injectable()
export class RollbackTriggerManifestKind implements ManifestKindHandler {
  readonly kind = 'RollbackTrigger';
  readonly order = 4;
  readonly fieldPrefix = '';

  constructor(
    private readonly stacks: StacksRepository,
    private readonly events: EventOutbox,
  ) {}

  scope(document: ManifestDocument): string {
    return `stack:${document.metadata['stack'] ?? ''}`;
  }

  async apply({ document, actor, manager, dryRun }: ManifestApplication): Promise<AppliedChange> {
    const { name, stack: stackName, environment } = document.metadata as { name: string; stack: string; environment: string };
    const stack = await this.stacks.findByName(manager, stackName);
    if (!stack) throw DomainError.notFound('stack', stackName);
    const violations = inSpec(rollbackTriggerViolations(document.spec));
    const nameProblem = resourceNameProblem(name);
    if (nameProblem) violations.unshift({ field: 'metadata.name', message: nameProblem });
    if (!stack.environments.some((known) => known.name === environment)) {
      violations.push({ field: 'metadata.environment', message: `is not an environment of stack ${stackName} (it has ${stack.environments.map((known) => known.name).sort().join(', ')})` });
    }
    if (violations.length > 0) throw DomainError.invalid(`rollback trigger ${name} has ${violations.length} violation(s)`, violations);
    // The registry keeps no copy to diff against: the rollback service owns the trigger, and the same spec again changes nothing there.
    await this.events.record(manager, this.events.create('io.strata.registry.rollback-trigger.declared.v1', stackName, { stack: stackName, environment, name, spec: document.spec, actor }));
    const at = `GET /v1/stacks/${stackName}/environments/${environment}/rollback-triggers/${name}`;
    return changeOf(document, name, 'create', dryRun ? 'valid; applying declares it to the rollback service, which creates or replaces it' : `declared to the rollback service, which creates or replaces it: ${at} shows it`);
  }
}
