import { Injectable } from '@nestjs/common';
import { DomainError, canonicalJson, resourceNameProblem, rollbackTriggerViolations } from '@strata/domain';
import { Logger } from '@strata/observability';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { RollbackTriggerEntity } from '../entities/trigger.entity';
import { CatalogRepository } from '../repositories/catalog.repository';
import { FiringWithExecution, TriggersRepository } from '../repositories/triggers.repository';
import { RollbackTransactions } from '../repositories/transactions';
import { assertKnownEnvironment } from './known-environments';
import { TriggerWatcher } from './trigger-watcher.service';

const MAX_FIRINGS = 200;

/** A Rollout's `rollbackTriggers` item, as its creating transition carries it. */
export interface RolloutTriggerDeclaration {
  when: string;
  for?: string;
  minRequests?: number;
}

interface TriggerName {
  stack: string;
  environment: string;
  name: string;
}

/** The body without its absent fields, or a refusal naming each bad field. */
function validSpec(where: TriggerName, body: Record<string, unknown>): Record<string, unknown> {
  const spec = Object.fromEntries(Object.entries(body).filter(([, value]) => value !== undefined));
  // Named like every other resource: it travels in URLs and CLI arguments (a Rollout's own triggers, `<rollout>.<n>`, are not declared here).
  const nameProblem = resourceNameProblem(where.name);
  const violations = [...(nameProblem ? [{ field: 'name', message: nameProblem }] : []), ...rollbackTriggerViolations(spec)];
  if (violations.length > 0) throw DomainError.invalid(`rollback trigger ${where.name} is invalid`, violations);
  return spec;
}

/** Rollback triggers: declared, listed, removed; the firings of each. */
@Injectable()
export class RollbackTriggersService {
  private readonly logger = new Logger('rollback-triggers').child({ service: 'rollback' });

  constructor(
    private readonly triggers: TriggersRepository,
    private readonly transactions: RollbackTransactions,
    private readonly watcher: TriggerWatcher,
    private readonly catalog: CatalogRepository,
  ) {}

  /**
   * Creates or replaces the trigger `name` of an environment; refused naming each bad field, and the
   * stack or environment when the registry has none of that name (a trigger there would never fire).
   */
  async put(where: TriggerName, body: Record<string, unknown>, actor: string): Promise<{ trigger: RollbackTriggerEntity; created: boolean }> {
    const spec = validSpec(where, body);
    const stored = await this.transactions.run(async (manager) => {
      await assertKnownEnvironment(this.catalog, manager, where.stack, where.environment, 'refuse');
      return this.triggers.upsert(manager, { id: randomUUID(), ...where, spec, source: 'api', rollout: null, createdBy: actor });
    });
    this.watcher.invalidate();
    return stored;
  }

  /**
   * `put` in the caller's transaction (a `RollbackTrigger` manifest's event): the same spec as the
   * trigger of that name already has changes nothing, so applying a manifest again is a no-op.
   */
  async putWithin(manager: EntityManager, where: TriggerName, body: Record<string, unknown>, actor: string): Promise<{ trigger: RollbackTriggerEntity; created: boolean }> {
    const spec = validSpec(where, body);
    const existing = await this.triggers.find(manager, where.stack, where.environment, where.name);
    if (existing?.source === 'api' && canonicalJson(existing.spec) === canonicalJson(spec)) return { trigger: existing, created: false };
    const stored = await this.triggers.upsert(manager, { id: randomUUID(), ...where, spec, source: 'api', rollout: null, createdBy: actor });
    this.watcher.invalidate();
    return stored;
  }

  list(stack: string, environment: string): Promise<RollbackTriggerEntity[]> {
    return this.triggers.list(this.transactions.reader, stack, environment);
  }

  async get(stack: string, environment: string, name: string): Promise<RollbackTriggerEntity> {
    const trigger = await this.triggers.find(this.transactions.reader, stack, environment, name);
    if (!trigger) throw DomainError.notFound('rollback trigger', `${stack}/${environment}/${name}`);
    return trigger;
  }

  async remove(stack: string, environment: string, name: string): Promise<void> {
    const { id } = await this.get(stack, environment, name);
    await this.transactions.run((manager) => this.triggers.remove(manager, id));
    this.watcher.invalidate();
  }

  /** Newest first: of one trigger, or (no name) of every trigger of the environment. */
  async firings(stack: string, environment: string, name: string | undefined, limit = MAX_FIRINGS): Promise<FiringWithExecution[]> {
    const triggerId = name === undefined ? undefined : (await this.get(stack, environment, name)).id;
    return this.triggers.firings(this.transactions.reader, { stack, environment, ...(triggerId ? { triggerId } : {}) }, Math.min(limit, MAX_FIRINGS));
  }

  /**
   * The `rollbackTriggers` of a Rollout become triggers scoped to it, named `<rollout>.<index>`,
   * action `abort` (a Rollout's triggers move its traffic; a deploy's rollback triggers are
   * declared on their own). `judge == Fail` needs none: a failed analysis always aborts.
   */
  async registerRolloutTriggers(manager: EntityManager, rollout: { stack: string; environment: string; name: string; actor: string }, declared: readonly RolloutTriggerDeclaration[]): Promise<void> {
    for (const [index, declaration] of declared.entries()) {
      if (/^\s*judge\s*==\s*fail\s*$/i.test(declaration.when)) continue;
      const spec: Record<string, unknown> = { ...declaration, action: 'abort', scope: { rollout: rollout.name } };
      const violations = rollbackTriggerViolations(spec);
      if (violations.length > 0) {
        // routing-control validated it with the same parser: only a version skew gets here.
        this.logger.error('a rollout declared a rollback trigger this service cannot watch', undefined, { rollout: rollout.name, index, violations });
        continue;
      }
      await this.triggers.upsert(manager, { id: randomUUID(), stack: rollout.stack, environment: rollout.environment, name: `${rollout.name}.${index}`, spec, source: 'rollout', rollout: rollout.name, createdBy: rollout.actor });
    }
  }
}
