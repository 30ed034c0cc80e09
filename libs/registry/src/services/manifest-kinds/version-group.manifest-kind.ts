import { Injectable } from '@nestjs/common';
import { DomainError, ManifestDocument, canonicalJson } from '@strata/domain';
import { StacksRepository } from '../../repositories/stacks.repository';
import { VersionGroupsRepository } from '../../repositories/version-groups.repository';
import { MemberRef, VersionGroupsService } from '../version-groups.service';
import { AppliedChange, ManifestApplication, ManifestKindHandler, assertSpec, changeOf, stringField, unknownSpecKeys } from './manifest-kind';

const byComponent = (a: MemberRef, b: MemberRef) => a.component.localeCompare(b.component);

/** A VersionGroup: created (validated against an environment), or found with the same members; groups are immutable. */
@Injectable()
export class VersionGroupManifestKind implements ManifestKindHandler {
  readonly kind = 'VersionGroup';
  readonly order = 3;
  readonly fieldPrefix = '';

  constructor(
    private readonly stacks: StacksRepository,
    private readonly versionGroups: VersionGroupsRepository,
    private readonly groups: VersionGroupsService,
  ) {}

  scope(document: ManifestDocument): string {
    return `stack:${document.metadata['stack'] ?? ''}`;
  }

  async apply({ document, actor, manager }: ManifestApplication): Promise<AppliedChange> {
    const { metadata, spec } = document;
    const stackName = metadata['stack'] as string;
    const name = metadata['name'] as string;
    // `members` is a map (component: version) here, the API's list of pairs: only the spec's own fields are checked.
    assertSpec(document, unknownSpecKeys(document, ['members', 'environment']), 'spec.');
    const rawMembers = typeof spec['members'] === 'object' && spec['members'] !== null ? (spec['members'] as Record<string, unknown>) : {};
    const members = Object.entries(rawMembers).map(([component, version]) => ({ component, version: String(version) }));
    const stack = await this.stacks.findByName(manager, stackName);
    if (!stack) {
      throw DomainError.notFound('stack', stackName);
    }
    const existing = await this.versionGroups.find(manager, stack.id, name);
    if (existing) {
      const existingMembers = existing.members.map((member) => ({ component: member.component.name, version: member.version }));
      if (canonicalJson(existingMembers.sort(byComponent)) !== canonicalJson([...members].sort(byComponent))) {
        throw DomainError.invalid(`version group '${name}' exists with other members`, [{ field: 'spec.members', message: 'version groups are immutable; create one with a new name' }]);
      }
      return changeOf(document, name, 'unchanged');
    }
    // A group is validated against an environment: the one named, else the stack's first that mirrors none.
    const environment = stringField(spec, 'environment') ?? stack.environments.find((candidate) => candidate.mirrors === null)?.name ?? stack.environments[0]?.name ?? 'production';
    await this.groups.create({ stack: stackName, name, environment, members }, actor, manager);
    return changeOf(document, name, 'create', `validated against ${environment}`);
  }
}
