import { Injectable } from '@nestjs/common';
import { DomainError, ManifestDocument, canonicalJson, documentLabel, externalContractReference, parseManifest } from '@strata/domain';
import { EventOutbox } from '@strata/messaging';
import { createHash } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { ComponentsRepository } from '../repositories/components.repository';
import { RolloutsRepository } from '../repositories/rollouts.repository';
import { RegistryTransactions } from '../repositories/transactions';
import { VersionMapRepository } from '../repositories/version-map.repository';
import { ComponentsService } from './components.service';
import { StacksService } from './stacks.service';
import { VersionGroupsService } from './version-groups.service';

export type ApplyAction = 'create' | 'update' | 'unchanged';

export interface ApplyChange {
  document: string;
  kind: ManifestDocument['kind'];
  name: string;
  action: ApplyAction;
  detail?: string;
}

export interface ApplyResult {
  dryRun: boolean;
  changes: ApplyChange[];
}

/** Thrown inside the transaction of a dry run so nothing it wrote survives. */
class DryRunRollback extends Error {}

/** Kinds are applied in dependency order, whatever order the manifest lists them in. */
const KIND_ORDER: Record<ManifestDocument['kind'], number> = { Stack: 0, Component: 1, ComponentVersion: 2, VersionGroup: 3, Rollout: 4 };

function stringField(spec: Record<string, unknown>, field: string): string | undefined {
  const value = spec[field];
  return typeof value === 'string' ? value : undefined;
}

/** Prefixes a refusal's fields with the document that caused it, so the manifest author can find it. */
function inDocument(document: ManifestDocument, error: unknown, specPrefix: string): unknown {
  if (!(error instanceof DomainError)) {
    return error;
  }
  const label = documentLabel(document);
  const violations = error.violations.length > 0 ? error.violations.map((violation) => ({ ...violation, field: `${label}.${specPrefix}${violation.field}` })) : [{ field: label, message: error.message }];
  return new DomainError(error.code, `${label}: ${error.message}; nothing was applied`, violations);
}

/**
 * `POST /v1/apply`: a multi-document manifest applied in one transaction, all or nothing,
 * idempotently (what exists with the same content is `unchanged`). A dry run does the same work
 * and rolls it back, so its diff is exactly what a real apply would do.
 */
@Injectable()
export class ApplyService {
  constructor(
    private readonly transactions: RegistryTransactions,
    private readonly stacks: StacksService,
    private readonly components: ComponentsService,
    private readonly groups: VersionGroupsService,
    private readonly componentsRepository: ComponentsRepository,
    private readonly versionMap: VersionMapRepository,
    private readonly rollouts: RolloutsRepository,
    private readonly events: EventOutbox,
  ) {}

  async apply(manifest: string, dryRun: boolean, actor: string): Promise<ApplyResult> {
    const documents = [...parseManifest(manifest)].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.index - b.index);
    let changes: { index: number; change: ApplyChange }[] = [];
    try {
      await this.transactions.run(async (manager) => {
        changes = [];
        for (const document of documents) {
          changes.push({ index: document.index, change: await this.applyDocument(manager, document, actor) });
        }
        if (dryRun) {
          throw new DryRunRollback();
        }
      });
    } catch (error) {
      if (!(error instanceof DryRunRollback)) {
        throw error;
      }
    }
    return { dryRun, changes: changes.sort((a, b) => a.index - b.index).map((entry) => entry.change) };
  }

  private async applyDocument(manager: EntityManager, document: ManifestDocument, actor: string): Promise<ApplyChange> {
    const label = documentLabel(document);
    const change = (name: string, action: ApplyAction, detail?: string): ApplyChange => ({ document: label, kind: document.kind, name, action, ...(detail ? { detail } : {}) });
    const { metadata, spec } = document;
    switch (document.kind) {
      case 'Stack': {
        const name = metadata['name'] as string;
        const environments = Array.isArray(spec['environments']) ? (spec['environments'] as { name: string; mirrors?: string }[]) : [];
        try {
          const existing = await this.componentsRepository.findStack(manager, name);
          if (!existing) {
            await this.stacks.create({ name, environments }, manager);
            return change(name, 'create');
          }
          const missing = environments.filter((environment) => !existing.environments.some((known) => known.name === environment.name));
          for (const environment of missing) {
            await this.stacks.addEnvironment(name, environment, manager);
          }
          return missing.length > 0 ? change(name, 'update', `adds environments ${missing.map((environment) => environment.name).join(', ')}`) : change(name, 'unchanged');
        } catch (error) {
          throw inDocument(document, error, 'spec.');
        }
      }
      case 'Component': {
        const name = metadata['name'] as string;
        const type = stringField(spec, 'type') ?? '';
        const target = typeof spec['target'] === 'object' && spec['target'] !== null ? (spec['target'] as Record<string, unknown>) : {};
        try {
          const existing = await this.componentsRepository.findComponent(manager, name);
          if (!existing) {
            await this.components.createComponent({ name, stack: metadata['stack'] as string, type, target }, manager);
            return change(name, 'create');
          }
          if (existing.stack.name !== metadata['stack'] || existing.type !== type || canonicalJson(existing.target) !== canonicalJson(target)) {
            throw DomainError.invalid(`component '${name}' exists with other settings`, [
              { field: 'spec', message: `is ${existing.type} in stack ${existing.stack.name} with target ${canonicalJson(existing.target)}; components cannot change` },
            ]);
          }
          return change(name, 'unchanged');
        } catch (error) {
          throw inDocument(document, error, '');
        }
      }
      case 'ComponentVersion': {
        const component = metadata['component'] as string;
        const version = metadata['version'] as string;
        try {
          const registration = await this.components.registerVersion(component, { ...spec, version } as Parameters<ComponentsService['registerVersion']>[1], actor, manager);
          const contractRef = externalContractReference((spec['spec'] as Record<string, unknown> | undefined)?.['openapi']);
          const note = contractRef === undefined ? undefined : `contract kept as a reference to '${contractRef}': it cannot be diffed, so the next version needs a major bump or an inlined document`;
          return change(`${component}@${version}`, registration.created ? 'create' : 'unchanged', registration.created ? note : undefined);
        } catch (error) {
          throw inDocument(document, error, 'spec.');
        }
      }
      case 'VersionGroup': {
        const stackName = metadata['stack'] as string;
        const name = metadata['name'] as string;
        const rawMembers = typeof spec['members'] === 'object' && spec['members'] !== null ? (spec['members'] as Record<string, unknown>) : {};
        const members = Object.entries(rawMembers).map(([memberComponent, memberVersion]) => ({ component: memberComponent, version: String(memberVersion) }));
        try {
          const stack = await this.componentsRepository.findStack(manager, stackName);
          if (!stack) {
            throw DomainError.notFound('stack', stackName);
          }
          const existing = await this.versionMap.findGroup(manager, stack.id, name);
          if (existing) {
            const same = canonicalJson(existing.members.map((member) => ({ component: member.component.name, version: member.version })).sort((a, b) => a.component.localeCompare(b.component))) === canonicalJson([...members].sort((a, b) => a.component.localeCompare(b.component)));
            if (!same) {
              throw DomainError.invalid(`version group '${name}' exists with other members`, [{ field: 'spec.members', message: 'version groups are immutable; create one with a new name' }]);
            }
            return change(name, 'unchanged');
          }
          // A group is validated against an environment: the one named, else the stack's first that mirrors none.
          const environment = stringField(spec, 'environment') ?? stack.environments.find((candidate) => candidate.mirrors === null)?.name ?? stack.environments[0]?.name ?? 'production';
          await this.groups.create({ stack: stackName, name, environment, members }, actor, manager);
          return change(name, 'create', `validated against ${environment}`);
        } catch (error) {
          throw inDocument(document, error, '');
        }
      }
      case 'Rollout': {
        const stackName = metadata['stack'] as string;
        const name = metadata['name'] as string;
        try {
          const stack = await this.componentsRepository.findStack(manager, stackName);
          if (!stack) {
            throw DomainError.notFound('stack', stackName);
          }
          const checksum = `sha256:${createHash('sha256').update(canonicalJson(spec)).digest('hex')}`;
          const existing = await this.rollouts.find(manager, stack.id, name);
          if (existing?.checksum === checksum) {
            return change(name, 'unchanged');
          }
          await this.rollouts.save(manager, { ...(existing ? { id: existing.id } : {}), stackId: stack.id, name, spec, checksum, declaredBy: actor });
          await this.events.record(manager, this.events.create('io.strata.registry.rollout.declared.v1', stackName, { stack: stackName, rollout: name, spec, checksum, actor }));
          return change(name, existing ? 'update' : 'create', 'stored for routing-control');
        } catch (error) {
          throw inDocument(document, error, '');
        }
      }
    }
  }
}
