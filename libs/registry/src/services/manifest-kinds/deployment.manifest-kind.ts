import { Injectable } from '@nestjs/common';
import { DomainError, DomainViolation, ManifestDocument } from '@strata/domain';
import { EventOutbox } from '@strata/messaging';
import { EntityManager } from 'typeorm';
import { VersionGroupEntity } from '../../entities/version-group.entity';
import { VersionMapStatus } from '../../entities/version-map-entry.entity';
import { StacksRepository } from '../../repositories/stacks.repository';
import { VersionGroupsRepository } from '../../repositories/version-groups.repository';
import { VersionMapRepository } from '../../repositories/version-map.repository';
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
    private readonly versionMap: VersionMapRepository,
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
    const group = versionGroup ? await this.versionGroups.find(manager, stack.id, versionGroup) : null;
    if (versionGroup && !group) {
      violations.push({ field: 'spec.versionGroup', message: `stack ${stackName} has no version group '${versionGroup}'` });
    }
    if (violations.length > 0) throw DomainError.invalid(`the Deployment of ${stackName} cannot start`, violations);
    const environmentId = stack.environments.find((candidate) => candidate.name === environment)?.id as string;
    // Declaring it again would make the rollback service log that there is nothing to do: say so here, and declare nothing.
    if (await this.isDeployed(manager, environmentId, group as VersionGroupEntity)) {
      return changeOf(document, `${environment}/${versionGroup}`, 'unchanged', `${environment} is at ${versionGroup} already (every member deployed in production): nothing to start`);
    }
    await this.events.record(manager, this.events.create('io.strata.registry.deployment.declared.v1', stackName, { stack: stackName, environment: environment as string, versionGroup: versionGroup as string, actor }));
    // The rollback service decides on its own event: the answer cannot say an execution started, only where to look.
    const detail = dryRun
      ? 'would ask the rollback service for a forward execution'
      : `declared to the rollback service, which starts a forward execution unless the environment is at that group already or another execution holds it (then logged): GET /v1/executions?stack=${stackName}&environment=${environment} follows it`;
    return changeOf(document, `${environment}/${versionGroup}`, 'create', detail);
  }

  /** The environment's production location is at the group: it is the newest deployed there and each member's slot holds it, settled (not being deployed or rolled back). */
  private async isDeployed(manager: EntityManager, environmentId: string, group: VersionGroupEntity): Promise<boolean> {
    const [newest] = await this.versionMap.activeGroups(manager, environmentId, 'production');
    if (newest?.versionGroupId !== group.id) return false;
    const slots = await this.versionMap.deploymentsIn(manager, environmentId, 'production');
    return newest.versionGroup.members.every((member) =>
      slots.some((slot) => slot.componentVersionId === member.id && slot.versionGroupId === group.id && slot.beforeClaim === null && SETTLED.has(slot.status)),
    );
  }
}

/** Slot statuses of a version that is in place (its health is another matter). */
const SETTLED: ReadonlySet<VersionMapStatus> = new Set(['deployed', 'healthy', 'degraded']);
