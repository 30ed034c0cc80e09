import { Inject, Injectable } from '@nestjs/common';
import {
  DomainError,
  DomainErrorCode,
  PromotionMember,
  indexVersionDefinition,
  lbWeightsCompileCheck,
  lbWeightsSpec,
  nextPromotionVersion,
  promotionGroupName,
  promotionMembers,
  proposalTransition,
} from '@strata/domain';
import { problemType } from '@strata/observability';
import { measureStatements, type ParameterValues } from '@strata/predictive-staging/staging';
import { PREDICTIVE_STAGING_SETTINGS, PredictiveStagingSettings } from '../config/predictive-staging-settings';
import { observedEffect } from '../domain/observed-effect';
import { Json, ProposalRecord, ProposalsRepository } from '../repositories/proposals.repository';
import { PredictiveTransactions } from '../repositories/transactions';
import { OwnerApis, Problem, describeProblem } from './owner-apis';
import { ProposalsService, assertBeforePeak } from './proposals.service';
import { TargetDatabases } from './target-databases';

export interface PromoteRequest {
  stack?: string;
  environment?: string;
  component?: string;
}

/** What the proposal keeps of its promotion: the choices of the first attempt (reused by a retry), the progress, the last error. */
interface Promotion {
  stack: string;
  environment: string;
  component: string;
  version?: string;
  versionGroup?: string;
  executionId?: string;
  /** Production's times before the index, measured once, before the first deploy. */
  before?: ({ medianMs: number } | { error: string })[];
  leaseUntil: string | null;
  error: string | null;
  attempts: number;
}

interface Execution {
  id: string;
  status: string;
  failedStep: { index: number; component: string; error: string | null } | null;
}

export const OBSERVE_RUNS = { warmups: 1, runs: 5 };
const CATALOG_WAIT_MS = 30_000;
const POLL_MS = 500;
const NOT_YET_KNOWN = problemType(DomainErrorCode.NotYetKnown);

/**
 * Promotes a validated proposal through the owners' APIs. An index: a db-schema version registered
 * in the registry, a version group of what is deployed with that version, the rollback service's
 * forward execution of it, then the effect production shows. lb-weights, before their forecast
 * peak: an lb-rule version (the deployed one's routes with the proposed nodeWeights) registered,
 * grouped and deployed the same way; routing-control compiles it into the routing policy and the
 * gateways pick nodes by it. An app version: the rollback
 * service's forward execution of the (existing) last known good version group. Each step is idempotent and its
 * outcome is kept on the proposal before the next, so a failed attempt leaves it validated with
 * the error and a retry carries on with the same version, group and execution.
 */
@Injectable()
export class PromotionService {
  constructor(
    private readonly lifecycle: ProposalsService,
    private readonly proposals: ProposalsRepository,
    private readonly transactions: PredictiveTransactions,
    private readonly owners: OwnerApis,
    private readonly targets: TargetDatabases,
    @Inject(PREDICTIVE_STAGING_SETTINGS) private readonly settings: PredictiveStagingSettings,
  ) {}

  async promote(id: string, request: PromoteRequest, authorization: string, actor: string): Promise<ProposalRecord> {
    const { proposal, promotion } = await this.claim(id, request);
    try {
      const appVersion = proposal.kind === 'app-version';
      const execution = appVersion
        ? await this.redeploy(proposal, promotion, authorization)
        : proposal.kind === 'lb-weights'
          ? await this.carryOutWeights(proposal, promotion, authorization)
          : await this.carryOut(proposal, promotion, authorization);
      const observed = proposal.kind === 'index' ? { ...(await this.observe(proposal, promotion)) } : undefined;
      const done: Json = { ...promotion, executionId: execution.id, leaseUntil: null, error: null };
      return await this.lifecycle.move(id, 'promote', actor, () => ({
        to: 'promoted',
        reason: appVersion
          ? `${promotion.component} back at ${promotion.version}: version group ${promotion.versionGroup} deployed by execution ${execution.id}`
          : `deployed as ${promotion.component}@${promotion.version} in version group ${promotion.versionGroup} by execution ${execution.id}`,
        promotion: done,
        ...(observed ? { observed } : {}),
      }));
    } catch (error) {
      await this.transactions.run((manager) => this.proposals.savePromotion(manager, id, { ...promotion, leaseUntil: null, error: errorText(error) }));
      throw error;
    }
  }

  /**
   * Takes the proposal's promotion lease, reusing the choices of an earlier attempt at the same place;
   * hands back the proposal as the claim left it (its UPDATE returns the row), so it is read once.
   */
  private async claim(id: string, request: PromoteRequest): Promise<{ proposal: ProposalRecord; promotion: Promotion }> {
    const { proposal } = await this.lifecycle.get(id);
    proposalTransition(proposal.status, 'promote');
    if (proposal.kind === 'lb-weights') assertBeforePeak(id, String(proposal.change['peakAt']), Date.now(), 'promoted');
    // An app-version proposal deploys the version group it names again: its component and version are that group's.
    const place =
      proposal.kind === 'app-version'
        ? { stack: request.stack ?? proposal.stack, environment: request.environment ?? proposal.environment, component: proposal.component, version: String(proposal.change['version']), versionGroup: String(proposal.change['versionGroup']) }
        : { stack: request.stack ?? proposal.stack, environment: request.environment ?? proposal.environment, component: request.component ?? proposal.component };
    const earlier = proposal.promotion as Partial<Promotion> | null;
    const same = earlier !== null && earlier.stack === place.stack && earlier.environment === place.environment && earlier.component === place.component;
    const promotion: Promotion = {
      ...(same ? earlier : {}),
      ...place,
      leaseUntil: new Date(Date.now() + this.settings.promotion.waitMs + 2 * CATALOG_WAIT_MS).toISOString(),
      error: null,
      attempts: (earlier?.attempts ?? 0) + 1,
    };
    const claimed = await this.transactions.run((manager) => this.proposals.claimPromotion(manager, id, { ...promotion }));
    if (!claimed) {
      throw new DomainError(DomainErrorCode.Conflict, `proposal ${id} is being promoted by another request (until ${earlier?.leaseUntil ?? 'its lease ends'}), or it moved meanwhile`, [{ field: 'status', message: 'is being promoted' }]);
    }
    return { proposal: claimed, promotion };
  }

  private async carryOut(proposal: ProposalRecord, promotion: Promotion, authorization: string): Promise<Execution> {
    const variable = await this.checkPlace(promotion, authorization);
    const measured = promotion.before === undefined ? await this.measureProduction(variable, proposal) : undefined;
    if (measured) promotion.before = measured.map((result) => (result instanceof Error ? { error: result.message } : { medianMs: result.medianMs }));
    promotion.version ??= await this.nextVersion(promotion, authorization);
    promotion.versionGroup ??= promotionGroupName(promotion.stack, proposal.id);
    await this.keep(proposal.id, promotion);
    const definition = indexVersionDefinition({ up: proposal.change['up'], down: proposal.change['down'] }, promotion.version, this.settings.promotion);
    return this.registerAndDeploy(proposal.id, promotion, definition, authorization);
  }

  /**
   * lb-weights: the lb-rule component's next version, its spec the deployed version's (or, with none
   * deployed, one route taking everything to the app) with the proposed nodeWeights; then the group
   * and the forward execution, whose lb-rule step routing-control compiles into the routing policy.
   */
  private async carryOutWeights(proposal: ProposalRecord, promotion: Promotion, authorization: string): Promise<Execution> {
    await this.checkEnvironment(promotion, authorization);
    const component = await this.get<{ stack: string; type: string }>('registry', `/v1/components/${encode(promotion.component)}`, authorization, 'component');
    if (component.stack !== promotion.stack || component.type !== 'lb-rule') {
      throw DomainError.invalid(`${promotion.component} is not an lb-rule component of ${promotion.stack}`, [
        { field: 'component', message: `is a ${component.type} component of stack '${component.stack}'; node weights need an lb-rule component of '${promotion.stack}'` },
      ]);
    }
    const deployed = (await this.deployedMembers(promotion, authorization)).find((member) => member.component === promotion.component);
    const base = deployed ? (await this.get<{ spec: unknown }>('registry', `/v1/components/${encode(deployed.component)}/versions/${encode(deployed.version)}`, authorization, 'component')).spec : null;
    const app = String(proposal.target['component'] ?? proposal.component);
    const spec = lbWeightsSpec(base, proposal.change['weights'], app);
    // Staging checked the weights alone; the deployed routes join them only here: checked before anything is registered.
    const check = lbWeightsCompileCheck({ weights: proposal.change['weights'], app, stackConfig: null, deployed: base });
    if (!check.validated) throw DomainError.invalid(`the weights do not compile with ${deployed ? `${deployed.component}@${deployed.version}` : 'the default route'}`, check.violations);
    promotion.version ??= await this.nextVersion(promotion, authorization);
    promotion.versionGroup ??= promotionGroupName(promotion.stack, proposal.id, 'weights');
    await this.keep(proposal.id, promotion);
    return this.registerAndDeploy(proposal.id, promotion, { version: promotion.version, spec }, authorization);
  }

  /** The version after every registered one of the component (kept on the proposal, so a retry registers the same). */
  private async nextVersion(promotion: Promotion, authorization: string): Promise<string> {
    return nextPromotionVersion((await this.get<{ version: string }[]>('registry', `/v1/components/${encode(promotion.component)}/versions`, authorization, 'component')).map((version) => version.version));
  }

  /** Registers the version (a retry's identical registration answers 200), creates its group, deploys it and waits for the execution. */
  private async registerAndDeploy(id: string, promotion: Promotion, definition: object, authorization: string): Promise<Execution> {
    const registered = await this.owners.call<Problem>('registry', 'POST', `/v1/components/${encode(promotion.component)}/versions`, authorization, definition);
    if (registered.status !== 201 && registered.status !== 200) throw refusal(registered.status, `registering ${promotion.component}@${promotion.version}`, registered.body, 'version');
    await this.createGroup(promotion, authorization);
    const execution = await this.deploy(promotion, authorization);
    promotion.executionId = execution.id;
    await this.keep(id, promotion);
    return this.waitFor(execution, authorization);
  }

  /** What is deployed to production in the promotion's environment, from the registry's version map. */
  private async deployedMembers(promotion: Promotion, authorization: string): Promise<PromotionMember[]> {
    const map = await this.get<{ slots: { location: string; component: string; version: string }[] }>('registry', `/v1/stacks/${encode(promotion.stack)}/environments/${encode(promotion.environment)}/version-map`, authorization, 'environment');
    return map.slots.filter((slot) => slot.location === 'production').map((slot) => ({ component: slot.component, version: slot.version }));
  }

  /**
   * An app-version proposal: the version group it names, which exists already, deployed again by
   * the rollback service's forward execution (nothing is registered), and waited for. The group's
   * other members go back with it: it is the whole configuration that ran well.
   */
  private async redeploy(proposal: ProposalRecord, promotion: Promotion, authorization: string): Promise<Execution> {
    await this.checkEnvironment(promotion, authorization);
    await this.get('registry', `/v1/stacks/${encode(promotion.stack)}/version-groups/${encode(promotion.versionGroup as string)}`, authorization, 'versionGroup');
    const execution = await this.deploy(promotion, authorization);
    promotion.executionId = execution.id;
    await this.keep(proposal.id, promotion);
    return this.waitFor(execution, authorization);
  }

  /** The stack and environment exist in the registry (each named if not). */
  private async checkEnvironment(promotion: Promotion, authorization: string): Promise<void> {
    const stack = await this.get<{ environments: { name: string }[] }>('registry', `/v1/stacks/${encode(promotion.stack)}`, authorization, 'stack');
    if (!stack.environments.some((environment) => environment.name === promotion.environment)) {
      throw DomainError.invalid(`stack ${promotion.stack} has no environment ${promotion.environment}`, [{ field: 'environment', message: `'${promotion.environment}' is not an environment of stack '${promotion.stack}' in the registry` }]);
    }
  }

  /** The stack, environment and db-schema component exist in the registry (each named if not); the component's target variable. */
  private async checkPlace(promotion: Promotion, authorization: string): Promise<string> {
    await this.checkEnvironment(promotion, authorization);
    const component = await this.get<{ stack: string; type: string; target: Record<string, unknown> }>('registry', `/v1/components/${encode(promotion.component)}`, authorization, 'component');
    const variable = component.target['databaseUrlFrom'];
    if (component.stack !== promotion.stack || component.type !== 'db-schema' || typeof variable !== 'string') {
      throw DomainError.invalid(`${promotion.component} is not a db-schema component of ${promotion.stack} with a target`, [
        { field: 'component', message: `is a ${component.type} component of stack '${component.stack}'${typeof variable === 'string' ? '' : ' without target.databaseUrlFrom'}; an index needs a db-schema component of '${promotion.stack}'` },
      ]);
    }
    return variable;
  }

  /** The group of what is deployed there with the new version; one this promotion made before is taken as it is if its members match. */
  private async createGroup(promotion: Promotion, authorization: string): Promise<void> {
    const name = promotion.versionGroup as string;
    const deployed = await this.deployedMembers(promotion, authorization);
    const promoted = { component: promotion.component, version: promotion.version as string };
    const members = promotionMembers(deployed, promoted);
    const created = await this.owners.call<Problem>('registry', 'POST', `/v1/stacks/${encode(promotion.stack)}/version-groups`, authorization, { name, environment: promotion.environment, members });
    if (created.status === 201) return;
    if (created.status === 409) {
      const existing = await this.get<{ members: PromotionMember[] }>('registry', `/v1/stacks/${encode(promotion.stack)}/version-groups/${encode(name)}`, authorization, 'versionGroup');
      if (existing.members.some((member) => member.component === promoted.component && member.version === promoted.version)) return;
    }
    throw refusal(created.status, `creating version group ${name}`, created.body, 'versionGroup');
  }

  /**
   * The forward execution of the group: the one an earlier attempt started unless it was abandoned.
   * The rollback service learns the new version and group from the registry's events: until it has,
   * it answers 422 with the problem type not-yet-known (naming which has not reached it), and the
   * deploy is asked again; any other refusal is final.
   */
  private async deploy(promotion: Promotion, authorization: string): Promise<Execution> {
    if (promotion.executionId) {
      const earlier = await this.get<Execution>('rollback', `/v1/executions/${encode(promotion.executionId)}`, authorization, 'executionId');
      if (earlier.status !== 'abandoned') return earlier;
    }
    const path = `/v1/stacks/${encode(promotion.stack)}/environments/${encode(promotion.environment)}/deploy`;
    const deadline = Date.now() + CATALOG_WAIT_MS;
    for (;;) {
      const answer = await this.owners.call<Execution & Problem>('rollback', 'POST', path, authorization, { versionGroup: promotion.versionGroup });
      if (answer.status === 202) return answer.body;
      const notYetKnown = answer.status === 422 && answer.body.type === NOT_YET_KNOWN;
      if (!notYetKnown || Date.now() > deadline) throw refusal(answer.status, `deploying ${promotion.versionGroup}`, answer.body, 'versionGroup');
      await sleep(POLL_MS);
    }
  }

  /** The execution once it succeeded; failed, abandoned or still running past the wait → an error saying what to do. */
  private async waitFor(started: Execution, authorization: string): Promise<Execution> {
    const deadline = Date.now() + this.settings.promotion.waitMs;
    let execution = started;
    while (execution.status !== 'succeeded') {
      if (execution.status === 'failed') {
        const step = execution.failedStep;
        throw new DomainError(DomainErrorCode.Conflict, `execution ${execution.id} failed${step ? ` at step ${step.index} (${step.component}): ${step.error ?? ''}` : ''}; retry or abandon it in the rollback service, then promote again`, [
          { field: 'executionId', message: `execution ${execution.id} failed` },
        ]);
      }
      if (execution.status === 'abandoned' || Date.now() > deadline) {
        const why = execution.status === 'abandoned' ? 'was abandoned' : `is still ${execution.status} after ${this.settings.promotion.waitMs} ms`;
        throw new DomainError(DomainErrorCode.Conflict, `execution ${execution.id} ${why}; promote again to ${execution.status === 'abandoned' ? 'deploy anew' : 'wait for it'}`, [{ field: 'executionId', message: `execution ${execution.id} ${why}` }]);
      }
      await sleep(POLL_MS);
      execution = await this.get<Execution>('rollback', `/v1/executions/${encode(execution.id)}`, authorization, 'executionId');
    }
    return execution;
  }

  /** Production's times after the execution, beside those before it and staging's prediction. */
  private async observe(proposal: ProposalRecord, promotion: Promotion): Promise<ReturnType<typeof observedEffect>> {
    const variable = String(proposal.target['databaseUrlFrom']);
    const statements = statementsOf(proposal);
    const after = await this.measureProduction(variable, proposal);
    const before = (promotion.before ?? []).map((result) => ('error' in result ? new Error(result.error) : result));
    const staging = proposal.staging as { measurement?: { timeReduction?: number } } | null;
    const method = `EXPLAIN (ANALYZE) on the production target, read-only, median of ${OBSERVE_RUNS.runs} runs, before the deploy and after its execution succeeded`;
    return observedEffect(statements, before, after, staging?.measurement?.timeReduction ?? null, method, new Date());
  }

  private measureProduction(variable: string, proposal: ProposalRecord) {
    return this.targets.with(variable, 'target.databaseUrlFrom', (client) => measureStatements(client, statementsOf(proposal), { ...OBSERVE_RUNS, parameters: stagedParameters(proposal) }));
  }

  private keep(id: string, promotion: Promotion): Promise<void> {
    return this.transactions.run((manager) => this.proposals.savePromotion(manager, id, { ...promotion }));
  }

  /** A GET of the owner's resource; 404 → 422 naming `field` (what the caller named that is not there). */
  private async get<T>(owner: 'registry' | 'rollback', path: string, authorization: string, field: string): Promise<T> {
    const answer = await this.owners.call<T & Problem>(owner, 'GET', path, authorization);
    if (answer.status === 200) return answer.body;
    throw refusal(answer.status, `GET ${path}`, answer.body, field);
  }
}

/** An owner's refusal as this service's error: 404 and 422 name the field, 409 stays a conflict. */
function refusal(status: number, doing: string, problem: Problem, field: string): DomainError {
  const message = `${doing}: the owner answered ${status}: ${describeProblem(problem)}`;
  if (status === 409) return new DomainError(DomainErrorCode.Conflict, message, [{ field, message: describeProblem(problem) }]);
  return DomainError.invalid(message, [{ field, message: status === 404 ? 'is not known to the registry or the rollback service' : describeProblem(problem) }]);
}

/** An error as the proposal keeps it: the message and each field it names. */
function errorText(error: unknown): string {
  if (!(error instanceof DomainError)) return error instanceof Error ? error.message : String(error);
  return [error.message, ...error.violations.map((violation) => `${violation.field}: ${violation.message}`)].join('; ');
}

/** The statements an index proposal serves (its evidence), as literal SQL. */
export function statementsOf(proposal: ProposalRecord): string[] {
  return ((proposal.evidence['statements'] as { query: string }[] | undefined) ?? []).map((statement) => statement.query);
}

/** The value sets staging bound each normalised statement to (by position of statementsOf): production is measured with the same. */
export function stagedParameters(proposal: ProposalRecord): (ParameterValues | undefined)[] {
  const measured = ((proposal.staging as { measurement?: { statements?: { sql: string; parameters?: ParameterValues }[] } } | null)?.measurement?.statements ?? []);
  return statementsOf(proposal).map((sql) => measured.find((statement) => statement.sql === sql)?.parameters);
}

function encode(segment: string): string {
  return encodeURIComponent(segment);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
