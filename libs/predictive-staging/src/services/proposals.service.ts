import { Inject, Injectable } from '@nestjs/common';
import { DomainError, DomainErrorCode, ProposalAction, ProposalStatus, lbWeightsCompileCheck, proposalTransition } from '@strata/domain';
import { EventOutbox } from '@strata/messaging';
import { AdvisorResult, IndexProposal, QueryStatistic, adviseIndexes } from '@strata/predictive-staging/advisor';
import { StagingDatabaseError, createStagingCopy, measureCandidate } from '@strata/predictive-staging/staging';
import { EntityManager } from 'typeorm';
import { PREDICTIVE_STAGING_SETTINGS, PredictiveStagingSettings } from '../config/predictive-staging-settings';
import { Json, ProposalFigures, ProposalFilter, ProposalRecord, ProposalTransitionRecord, ProposalsRepository } from '../repositories/proposals.repository';
import { PredictiveTransactions } from '../repositories/transactions';
import { OwnerApis, Problem, describeProblem } from './owner-apis';
import { announceProposal } from './proposal-events';
import { TargetDatabases } from './target-databases';

export interface IndexProposalRequest {
  stack: string;
  environment: string;
  /** The db-schema component whose database the indexes are for. */
  component: string;
  /** The variable (of this service's environment) holding the target database's URL. */
  databaseUrlFrom: string;
  /** The statements to advise on; by default the target's pg_stat_statements. */
  statements?: QueryStatistic[];
  /** What prompted the advice, kept in each proposal's evidence (the anomalies of an automatic request). */
  prompt?: Record<string, unknown>;
}

export interface IndexAdvice {
  path: AdvisorResult['path'];
  proposals: ProposalRecord[];
  rejected: AdvisorResult['rejected'];
  statementsRead: number;
}

/** One step of the rollback service's dry-run plan, as its API answers it. */
interface DryRunStep {
  action: string;
  component: string;
  fromVersion: string | null;
  toVersion: string | null;
}

const share = (before: number, after: number): number => (before > 0 ? Math.round((1 - after / before) * 1e4) / 1e4 : 0);

/**
 * Proposals and their lifecycle: made on request (index proposals from the advisor, each with its
 * evidence and expected effect; app-version proposals are made from anomalies), then moved one step at a time, each move recorded with its actor
 * and reason and announced on `staging.events` in the same transaction.
 */
@Injectable()
export class ProposalsService {
  constructor(
    private readonly proposals: ProposalsRepository,
    private readonly transactions: PredictiveTransactions,
    private readonly targets: TargetDatabases,
    private readonly events: EventOutbox,
    private readonly owners: OwnerApis,
    @Inject(PREDICTIVE_STAGING_SETTINGS) private readonly settings: PredictiveStagingSettings,
  ) {}

  /**
   * Runs the index advisor on the target's statements and keeps one proposal per index it
   * proposes; candidates it dropped come back with their reasons (and are not stored), among them an
   * index an open proposal of the component (proposed, staged or validated) already proposes.
   */
  async proposeIndexes(request: IndexProposalRequest, actor: string): Promise<IndexAdvice> {
    const { minCalls, minMeanMs, minCostDrop } = this.settings.advisor;
    const { advice, statementsRead } = await this.targets.with(request.databaseUrlFrom, 'databaseUrlFrom', async (client) => {
      const statements = request.statements ?? (await this.targets.capturedStatements(client));
      const advice = await invalidOnStagingError(adviseIndexes(client, statements, { thresholds: { minCalls, minMeanMs }, minCostDrop }), 'databaseUrlFrom');
      return { advice, statementsRead: statements.length };
    });
    const statistics = new Map((request.statements ?? []).map((statement) => [statement.query, statement]));
    const rejected = [...advice.rejected];
    const proposals = await this.transactions.run(async (manager) => {
      const created: ProposalRecord[] = [];
      const open = await this.proposals.openIndexChanges(manager, request);
      for (const index of advice.proposals) {
        const same = open.find((proposal) => proposal.table === index.table && proposal.columns.join(',') === index.columns.join(','));
        if (same) {
          rejected.push({ table: index.table, columns: index.columns, queries: index.queries, reason: `open proposal ${same.id} already proposes it` });
          continue;
        }
        const proposal = await this.proposals.insert(manager, {
          kind: 'index',
          stack: request.stack,
          environment: request.environment,
          component: request.component,
          title: `index on ${index.table} (${index.columns.join(', ')})`,
          reason: `the planner cost of ${index.queries.length} slow statement(s) drops ${Math.round(share(index.costBefore, index.costAfter) * 100)} % with it (${index.path})`,
          target: { databaseUrlFrom: request.databaseUrlFrom },
          change: { type: 'db-schema', table: index.table, columns: [...index.columns], up: index.sql, down: index.down },
          evidence: { path: index.path, statements: index.queries.map((query) => ({ query, calls: statistics.get(query)?.calls ?? null, meanExecTimeMs: statistics.get(query)?.meanExecTimeMs ?? null })), ...request.prompt },
          expected: this.expectedOf(index),
          createdBy: actor,
        });
        await this.announce(manager, proposal, null, actor);
        created.push(proposal);
      }
      return created;
    });
    return { path: advice.path, proposals, rejected, statementsRead };
  }

  list(filter: ProposalFilter, limit: number, after: string | undefined): Promise<{ items: ProposalRecord[]; nextCursor: string | null }> {
    return this.transactions.run((manager) => this.proposals.page(manager, filter, limit, after));
  }

  get(id: string): Promise<{ proposal: ProposalRecord; transitions: ProposalTransitionRecord[] }> {
    return this.transactions.run(async (manager) => ({ proposal: await this.found(manager, id), transitions: await this.proposals.transitions(manager, id) }));
  }

  /** Rejects a proposal that is not promoted or rejected yet, with the operator's reason. */
  reject(id: string, reason: string, actor: string): Promise<ProposalRecord> {
    return this.move(id, 'reject', actor, (proposal) => {
      // A promotion in flight may be deploying it right now: rejecting it then would hide a deployed index.
      const leaseUntil = proposal.promotion?.['leaseUntil'];
      if (typeof leaseUntil === 'string' && Date.parse(leaseUntil) > Date.now()) {
        throw new DomainError(DomainErrorCode.Conflict, `proposal ${id} is being promoted; reject it after the promotion ends`, [{ field: 'status', message: 'is being promoted' }]);
      }
      return { to: 'rejected', reason };
    });
  }

  /**
   * Stages an index proposal: a copy of the target's tables its statements touch, with a sample of
   * their rows and fresh statistics, on which the statements are replayed with EXPLAIN (ANALYZE,
   * BUFFERS) before and after the index is built; the plans and measurements are kept on the
   * proposal and the copy is dropped, whatever happens. Staging again replaces the measurements.
   */
  async stage(id: string, actor: string, authorization: string): Promise<ProposalRecord> {
    const { proposal } = await this.get(id);
    proposalTransition(proposal.status, 'stage');
    if (proposal.kind === 'app-version') return this.stageAppVersion(proposal, actor, authorization);
    if (proposal.kind === 'lb-weights') return this.stageLbWeights(proposal, actor);
    if (proposal.kind !== 'index') {
      throw DomainError.invalid(`a ${proposal.kind} proposal is not staged on a database copy`, [{ field: 'kind', message: `is ${proposal.kind}; only index proposals are staged here` }]);
    }
    const variable = String(proposal.target['databaseUrlFrom']);
    const statements = ((proposal.evidence['statements'] as { query: string }[] | undefined) ?? []).map((statement) => statement.query);
    const { samplePercent, maxRowsPerTable } = this.settings.staging;
    const started = Date.now();
    const staging = await this.onCopy(this.targets.url(variable, 'target.databaseUrlFrom'), statements, { percent: samplePercent, maxRowsPerTable }, async (copy) => ({
      database: copy.name,
      tables: copy.tables,
      measurement: await measureCandidate(copy, String(proposal.change['up']), statements),
    }));
    const { measurement } = staging;
    const reason = `measured on a staging copy (${staging.tables.map((table) => `${table.table}: ${table.rows} of ~${Math.round(table.productionRows)} rows`).join(', ')}): time ${signed(measurement.timeReduction)}, planner cost ${signed(measurement.costReduction)}; ${measurement.reason}`;
    return this.move(id, 'stage', actor, () => ({ to: 'staged', reason, staging: { ...staging, seconds: (Date.now() - started) / 1_000, validated: measurement.validated, reason: measurement.reason } }));
  }

  /**
   * Stages an app-version proposal on the rollback service's dry run of deploying its version group
   * (the caller's token): the plan it would execute from what is deployed now, or why it refuses.
   * This is not a run in a staging environment, which Strata does not have for apps yet: the last
   * known good version's evidence is that it ran in production without a regression; the dry run
   * checks that it can be deployed back as things stand. A refusal stages it unvalidated, with why.
   */
  private async stageAppVersion(proposal: ProposalRecord, actor: string, authorization: string): Promise<ProposalRecord> {
    const group = String(proposal.change['versionGroup']);
    const path = `/v1/stacks/${encodeURIComponent(proposal.stack)}/environments/${encodeURIComponent(proposal.environment)}/deploy`;
    const answer = await this.owners.call<{ plan?: { steps: DryRunStep[] } } & Problem>('rollback', 'POST', path, authorization, { versionGroup: group, dryRun: true });
    if (answer.status !== 200 && answer.status !== 422) {
      throw DomainError.invalid(`the rollback service answered ${answer.status} to the dry run of ${group}`, [{ field: 'change.versionGroup', message: describeProblem(answer.body) }]);
    }
    const steps = answer.status === 200 ? (answer.body.plan?.steps ?? []) : null;
    const reason =
      steps !== null
        ? `the rollback service would deploy ${group} in ${steps.length} step(s): ${steps.map((step) => `${step.action} ${step.component} ${step.fromVersion ?? '-'} → ${step.toVersion ?? '-'}`).join(', ')}`
        : `the rollback service refuses to deploy ${group}: ${describeProblem(answer.body)}`;
    return this.move(proposal.id, 'stage', actor, () => ({ to: 'staged', reason, staging: { method: 'rollback-dry-run', versionGroup: group, steps, validated: steps !== null, reason } }));
  }

  /**
   * Stages lb-weights before their forecast peak: past it, the weights were for traffic that has
   * come and gone (409 naming peakAt). Staging is a compile check (domain `lbWeightsCompileCheck`):
   * the lb-rule the weights make, compiled into the routing policy a gateway would receive, checked
   * as a gateway checks it, with the share each node would take. It is recorded as what it is — not
   * a traffic check: the mirrored trial of issue [P] is not here, so nothing about traffic is measured.
   */
  private stageLbWeights(proposal: ProposalRecord, actor: string): Promise<ProposalRecord> {
    const peakAt = String(proposal.change['peakAt']);
    const app = String(proposal.target['component'] ?? proposal.component);
    const stackConfig = typeof proposal.change['stackConfig'] === 'string' ? proposal.change['stackConfig'] : null;
    return this.move(proposal.id, 'stage', actor, () => {
      const now = Date.now();
      assertBeforePeak(proposal.id, peakAt, now, 'staged');
      const check = lbWeightsCompileCheck({ weights: proposal.change['weights'], app, stackConfig });
      const reason = `staged ${Math.round((Date.parse(peakAt) - now) / 60_000)} min before the forecast peak at ${peakAt}; ${check.reason}`;
      return { to: 'staged', reason, staging: { method: check.method, stagedAt: new Date(now).toISOString(), peakAt, mirrored: null, validated: check.validated, shares: check.shares, violations: check.violations.map((violation) => ({ ...violation })), reason: check.reason } };
    });
  }

  /**
   * Validates a staged proposal on what staging measured: validated when the measured reductions
   * held, rejected with staging's reason when they did not.
   */
  validate(id: string, actor: string): Promise<ProposalRecord> {
    return this.move(id, 'validate', actor, (proposal) => {
      const staging = proposal.staging as { validated?: boolean; reason?: string; method?: string } | null;
      // A compile check proves the weights deploy, not that traffic fares better: the reason says which it was.
      const judged = staging?.method === 'compile-check' ? 'the compile check passed (not a traffic check)' : 'staging measured it';
      return staging?.validated === true ? { to: 'validated', reason: `${judged}: ${staging.reason ?? ''}`.trim() } : { to: 'rejected', reason: `staging did not confirm it: ${staging?.reason ?? 'no measurement'}` };
    });
  }

  /** One move under the proposal's row lock: the lifecycle decides whether it may happen, `decide` where it lands. */
  async move(id: string, action: ProposalAction, actor: string, decide: (proposal: ProposalRecord) => { to: ProposalStatus; reason: string } & ProposalFigures): Promise<ProposalRecord> {
    return this.transactions.run(async (manager) => {
      const proposal = await this.found(manager, id, true);
      proposalTransition(proposal.status, action);
      const { to, reason, ...figures } = decide(proposal);
      const moved = await this.proposals.move(manager, proposal, to, actor, reason, figures);
      await this.announce(manager, moved, proposal.status, actor);
      return moved;
    });
  }

  /** Runs `work` on a fresh staging copy and drops it after; a database that cannot be reached or copied → 422 naming the field. */
  private async onCopy<T extends Json>(url: string, queries: string[], sample: { percent: number; maxRowsPerTable: number }, work: (copy: Awaited<ReturnType<typeof createStagingCopy>>) => Promise<T>): Promise<T> {
    const copy = await invalidOnStagingError(createStagingCopy(url, { queries, sample }), 'target.databaseUrlFrom', 'evidence.statements');
    try {
      return await work(copy);
    } finally {
      await copy.drop();
    }
  }

  private expectedOf(index: IndexProposal): Json {
    return { costBefore: index.costBefore, costAfter: index.costAfter, costReduction: share(index.costBefore, index.costAfter) };
  }

  private async found(manager: EntityManager, id: string, lock = false): Promise<ProposalRecord> {
    const proposal = await this.proposals.find(manager, id, lock);
    if (!proposal) throw DomainError.notFound('proposal', id);
    return proposal;
  }

  private announce(manager: EntityManager, proposal: ProposalRecord, from: ProposalStatus | null, actor: string): Promise<void> {
    return announceProposal(this.events, manager, proposal, from, actor);
  }
}

/**
 * A staging copy that cannot be made → 422 naming the request's field: the target (unreachable, or
 * no right to create the copy on its server) or the statements (tables the copy cannot rebuild).
 */
async function invalidOnStagingError<T>(work: Promise<T>, targetField: string, statementsField = 'statements'): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof StagingDatabaseError) {
      throw DomainError.invalid('the staging copy could not be made', [{ field: error.field === 'tables' ? statementsField : targetField, message: error.message }]);
    }
    throw error;
  }
}

/** lb-weights are for traffic before their forecast peak: past it, staging or promoting them is a 409 naming peakAt. */
export function assertBeforePeak(id: string, peakAt: string, now: number, doing: 'staged' | 'promoted'): void {
  if (!(Date.parse(peakAt) > now)) {
    throw new DomainError(DomainErrorCode.Conflict, `the forecast peak of proposal ${id} was at ${peakAt}: weights are ${doing} before it`, [{ field: 'peakAt', message: `is ${peakAt}, before now (${new Date(now).toISOString()})` }]);
  }
}

/** A reduction as a signed change: 0.83 → "-83 %". */
function signed(reduction: number): string {
  return `${reduction >= 0 ? '-' : '+'}${Math.abs(Math.round(reduction * 100))} %`;
}
