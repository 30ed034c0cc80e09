import { Injectable } from '@nestjs/common';
import { RolloutDeclarationRefusal } from '@strata/contracts';
import {
  DomainError,
  DomainViolation,
  ManifestDocument,
  RolloutPhase,
  canonicalJson,
  documentLabel,
  externalContractReference,
  parseManifest,
  rolloutSpecViolations,
} from '@strata/domain';
import { EventOutbox } from '@strata/messaging';
import { createHash } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { EntityManager } from 'typeorm';
import { DeclaredRolloutEntity } from '../entities/declared-rollout.entity';
import { StackEntity } from '../entities/stack.entity';
import { ComponentsRepository } from '../repositories/components.repository';
import { RolloutsRepository } from '../repositories/rollouts.repository';
import { RegistryTransactions } from '../repositories/transactions';
import { VersionMapRepository } from '../repositories/version-map.repository';
import { ComponentsService } from './components.service';
import { StacksService } from './stacks.service';
import { VersionGroupsService } from './version-groups.service';

export type ApplyAction = 'create' | 'update' | 'unchanged';

/** What became of a declared Rollout: routing-control started it, refused it, or has not answered yet. */
export type RolloutOutcome =
  | { status: 'started'; rolloutId: string; phase: RolloutPhase }
  | { status: 'refused'; refusal: RolloutDeclarationRefusal; reason: string; violations: DomainViolation[] }
  | { status: 'pending'; reason: string };

export interface ApplyChange {
  document: string;
  kind: ManifestDocument['kind'];
  name: string;
  action: ApplyAction;
  detail?: string;
  /** Rollouts of a real apply only: a dry run declares nothing, so nothing answers it. */
  rollout?: RolloutOutcome;
}

export interface ApplyResult {
  dryRun: boolean;
  changes: ApplyChange[];
}

export interface ApplyOptions {
  dryRun: boolean;
  /** How long to wait for routing-control's answers to the Rollouts of the manifest; 0 does not wait. */
  waitMs: number;
}

/** A change as the transaction sees it: a Rollout also carries its declaration, whose answer the apply reports. */
interface AppliedChange extends ApplyChange {
  declaration?: { row: DeclaredRolloutEntity; stack: string };
}

/** Thrown inside the transaction of a dry run so nothing it wrote survives. */
class DryRunRollback extends Error {}

/** Kinds are applied in dependency order, whatever order the manifest lists them in. */
const KIND_ORDER: Record<ManifestDocument['kind'], number> = { Stack: 0, Component: 1, ComponentVersion: 2, VersionGroup: 3, Rollout: 4 };

/** How often a waiting apply looks for routing-control's answer: a primary-key read, for at most the wait. */
const ANSWER_POLL_MS = 100;

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

/** The declaration's answer as the apply reports it. */
function outcomeOf(declaration: DeclaredRolloutEntity, waitMs: number): RolloutOutcome {
  switch (declaration.status) {
    case 'started':
      return { status: 'started', rolloutId: declaration.rolloutId as string, phase: declaration.phase as RolloutPhase };
    case 'refused':
      return { status: 'refused', refusal: declaration.refusal ?? 'invalid', reason: declaration.reason ?? 'refused', violations: declaration.violations };
    case 'pending':
      return { status: 'pending', reason: waitMs > 0 ? `routing-control has not answered within ${waitMs / 1_000} s` : 'routing-control has not answered yet (waitSeconds=0)' };
  }
}

function outcomeDetail(outcome: RolloutOutcome, stack: string): string {
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
 * `POST /v1/apply`: a multi-document manifest applied in one transaction, all or nothing,
 * idempotently (what exists with the same content is `unchanged`). A dry run does the same work
 * and rolls it back, so its diff is exactly what a real apply would do.
 *
 * Rollouts are run by routing-control, another service, which may still refuse one (no routing
 * policy, the group not deployed there, another rollout active). What the registry can check
 * itself (the spec, the stack's environments and groups) refuses the whole manifest before
 * anything is applied; for the rest, the committed apply waits a bounded time for
 * routing-control's answer to each Rollout and reports it, started, refused or still pending.
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

  async apply(manifest: string, options: ApplyOptions, actor: string): Promise<ApplyResult> {
    const { dryRun } = options;
    const documents = [...parseManifest(manifest)].sort((a, b) => KIND_ORDER[a.kind] - KIND_ORDER[b.kind] || a.index - b.index);
    let changes: { index: number; change: AppliedChange }[] = [];
    try {
      await this.transactions.run(async (manager) => {
        changes = [];
        await this.componentsRepository.lockForApply(manager, documents.map(applyScope));
        for (const document of documents) {
          changes.push({ index: document.index, change: await this.applyDocument(manager, document, actor, dryRun) });
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
    const ordered = changes.sort((a, b) => a.index - b.index).map((entry) => entry.change);
    if (!dryRun) {
      await this.reportAnswers(ordered, options.waitMs);
    }
    return { dryRun, changes: ordered.map(({ declaration: _declaration, ...change }) => change) };
  }

  /** Waits, up to `waitMs`, until routing-control has answered every Rollout of the manifest, and reports each answer. */
  private async reportAnswers(changes: AppliedChange[], waitMs: number): Promise<void> {
    const declared = changes.flatMap((change) => (change.declaration ? [{ change, ...change.declaration }] : []));
    if (declared.length === 0) {
      return;
    }
    const ids = declared.map(({ row }) => row.id);
    const deadline = Date.now() + waitMs;
    let rows = await this.rollouts.findByIds(this.transactions.reader, ids);
    while (rows.some((row) => row.status === 'pending') && Date.now() < deadline) {
      await sleep(Math.min(ANSWER_POLL_MS, deadline - Date.now()));
      rows = await this.rollouts.findByIds(this.transactions.reader, ids);
    }
    for (const { change, row, stack } of declared) {
      // A row gone meanwhile (its stack deleted) stays as it was declared: pending.
      const outcome = outcomeOf(rows.find((candidate) => candidate.id === row.id) ?? row, waitMs);
      change.rollout = outcome;
      change.detail = outcomeDetail(outcome, stack);
    }
  }

  private async applyDocument(manager: EntityManager, document: ManifestDocument, actor: string, dryRun: boolean): Promise<AppliedChange> {
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
          const violations = await this.rolloutViolations(manager, stack, spec);
          if (violations.length > 0) {
            throw DomainError.invalid(`the rollout has ${violations.length} violation(s)`, violations);
          }
          const checksum = `sha256:${createHash('sha256').update(canonicalJson(spec)).digest('hex')}`;
          const existing = await this.rollouts.find(manager, stack.id, name);
          const same = existing?.checksum === checksum;
          if (same && existing.status === 'started') {
            // Declared and started before: nothing to declare, and its answer is known.
            const outcome = outcomeOf(existing, 0);
            return { ...change(name, 'unchanged', outcomeDetail(outcome, stackName)), ...(dryRun ? {} : { rollout: outcome }) };
          }
          // New, changed, or the same declaration once more after a refusal (its cause may be fixed since) or no answer.
          const row = await this.rollouts.declare(manager, { ...(existing ? { id: existing.id } : {}), stackId: stack.id, name, spec, checksum, declaredBy: actor });
          await this.events.record(manager, this.events.create('io.strata.registry.rollout.declared.v1', stackName, { stack: stackName, rollout: name, spec, checksum, actor }));
          const action: ApplyAction = same ? 'unchanged' : existing ? 'update' : 'create';
          const detail = dryRun
            ? `valid; applying declares it to routing-control${same ? ' again' : ''}, which starts or refuses it`
            : 'declared to routing-control; no answer yet';
          return { ...change(name, action, detail), declaration: { row, stack: stackName } };
        } catch (error) {
          throw inDocument(document, error, '');
        }
      }
    }
  }

  /** The spec as the domain validates it, then what only the registry knows: the stack's environments and version groups. */
  private async rolloutViolations(manager: EntityManager, stack: StackEntity, spec: Record<string, unknown>): Promise<DomainViolation[]> {
    const violations = rolloutSpecViolations(spec).map((violation) => ({ ...violation, field: violation.field === '' ? 'spec' : `spec.${violation.field}` }));
    if (violations.length > 0) {
      return violations;
    }
    const environment = spec['environment'] as string;
    if (!stack.environments.some((known) => known.name === environment)) {
      violations.push({ field: 'spec.environment', message: `is not an environment of stack ${stack.name} (it has ${stack.environments.map((known) => known.name).sort().join(', ')})` });
    }
    const versionGroup = spec['versionGroup'] as string;
    if (!(await this.versionMap.findGroup(manager, stack.id, versionGroup))) {
      violations.push({ field: 'spec.versionGroup', message: `is not a version group of stack ${stack.name}` });
    }
    return violations;
  }
}

/** What a document creates or changes, for serialising concurrent applies: its stack, or its component. */
function applyScope(document: ManifestDocument): string {
  const { metadata } = document;
  switch (document.kind) {
    case 'Stack':
      return `stack:${metadata['name'] ?? ''}`;
    case 'ComponentVersion':
      return `component:${metadata['component'] ?? ''}`;
    case 'Component':
    case 'VersionGroup':
    case 'Rollout':
      return `stack:${metadata['stack'] ?? ''}`;
  }
}
