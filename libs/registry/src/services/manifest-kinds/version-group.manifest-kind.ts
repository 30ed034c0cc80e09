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
    assertSpec(document, unknownSpecKeys(document, ['members', 'environment']), 'spec.');
    const members = memberRefs(spec['members']);
    if (typeof members === 'string') {
      throw DomainError.invalid(`version group '${name}' has no valid members`, [{ field: 'spec.members', message: members }]);
    }
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

const MEMBERS_FORM = 'must map each component to its version (checkout-api: 2.4.0), or list them as the API does ([{ component, version }])';

/**
 * The members of a manifest's group: a map (component: version), the manifest's own form, or the
 * API's list of pairs. Returns the refusal instead when it is neither; a version YAML read as a
 * number (`1.10` is 1.1) is refused, not turned back into a string.
 */
export function memberRefs(raw: unknown): MemberRef[] | string {
  const pairs = Array.isArray(raw)
    ? raw.map((entry: unknown) => (typeof entry === 'object' && entry !== null ? [(entry as Record<string, unknown>)['component'], (entry as Record<string, unknown>)['version']] : [undefined, undefined]))
    : typeof raw === 'object' && raw !== null
      ? Object.entries(raw)
      : null;
  if (pairs === null || pairs.length === 0) return MEMBERS_FORM;
  const members: MemberRef[] = [];
  for (const [component, version] of pairs) {
    if (typeof component !== 'string' || component === '') return MEMBERS_FORM;
    if (typeof version !== 'string') return `${component}: the version must be a string (quote it: '${String(version)}' may not be what YAML read)`;
    members.push({ component, version });
  }
  return members;
}
