import { Injectable } from '@nestjs/common';
import { DomainError, DomainViolation, ManifestDocument } from '@strata/domain';
import { EventOutbox } from '@strata/messaging';
import { StacksRepository } from '../../repositories/stacks.repository';
import { VersionGroupsRepository } from '../../repositories/version-groups.repository';
import { AppliedChange, ManifestApplication, ManifestKindHandler, changeOf, stringField, unknownSpecKeys } from './manifest-kind';

/**
 * A Deployment (`metadata.stack`, `spec.environment`, `spec.versionGroup`): the rollback service
 * starts the forward execution that brings the environment to the group, so a stack is declared
 * and deployed from one file. Applied after everything else of the manifest (the group is in it).
 */
@Injectable()
export class DeploymentManifestKind implements ManifestKindHandler {
  readonly kind = 'Deployment';
  readonly order = 5;
  readonly fieldPrefix = '';

  constructor(
    private readonly stacks: StacksRepository,
    private readonly versionGroups: VersionGroupsRepository,
    private readonly events: EventOutbox,
  ) {}

  scope(document: ManifestDocument): string {
    return `stack:${document.metadata['stack'] ?? ''}`;
  }

  async apply({ document, actor, manager, dryRun }: ManifestApplication): Promise<AppliedChange> {
    const stackName = document.metadata['stack'] as string;
    const environment = stringField(document.spec, 'environment');
    const versionGroup = stringField(document.spec, 'versionGroup');
    const violations: DomainViolation[] = [];
    if (!environment) violations.push({ field: 'spec.environment', message: 'must name the environment to deploy to' });
    if (!versionGroup) violations.push({ field: 'spec.versionGroup', message: 'must name the version group to deploy' });
    violations.push(...unknownSpecKeys(document, ['environment', 'versionGroup']).map((violation) => ({ ...violation, field: `spec.${violation.field}` })));
    const stack = await this.stacks.findByName(manager, stackName);
    if (!stack) throw DomainError.notFound('stack', stackName);
    if (environment && !stack.environments.some((candidate) => candidate.name === environment)) {
      violations.push({ field: 'spec.environment', message: `stack ${stackName} has no environment '${environment}'` });
    }
    if (versionGroup && !(await this.versionGroups.find(manager, stack.id, versionGroup))) {
      violations.push({ field: 'spec.versionGroup', message: `stack ${stackName} has no version group '${versionGroup}'` });
    }
    if (violations.length > 0) throw DomainError.invalid(`the Deployment of ${stackName} cannot start`, violations);
    await this.events.record(manager, this.events.create('io.strata.registry.deployment.declared.v1', stackName, { stack: stackName, environment: environment as string, versionGroup: versionGroup as string, actor }));
    // The rollback service decides on its own event: the answer cannot say an execution started, only where to look.
    const detail = dryRun
      ? 'would ask the rollback service for a forward execution'
      : `declared to the rollback service, which starts a forward execution unless the environment is at that group already or another execution holds it (then logged): GET /v1/executions?stack=${stackName}&environment=${environment} follows it`;
    return changeOf(document, `${environment}/${versionGroup}`, 'create', detail);
  }
}
