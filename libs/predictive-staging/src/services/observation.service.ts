import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { DomainError } from '@strata/domain';
import { EventOutbox } from '@strata/messaging';
import { Logger } from '@strata/observability';
import { measureStatements } from '@strata/predictive-staging/staging';
import { PeriodicTask } from '@strata/runtime';
import { EntityManager } from 'typeorm';
import { PREDICTIVE_STAGING_SETTINGS, PredictiveStagingSettings } from '../config/predictive-staging-settings';
import { ObservedEffect, observedEffect } from '../domain/observed-effect';
import { WindowEffect, predictedReduction, windowEffect } from '../domain/window-effect';
import { Json, ProposalRecord, ProposalsRepository } from '../repositories/proposals.repository';
import { SeriesRepository } from '../repositories/series.repository';
import { PredictiveTransactions } from '../repositories/transactions';
import { OBSERVE_RUNS, stagedParameters, statementsOf } from './promotion.service';
import { TargetDatabases } from './target-databases';

/** At most this many proposals are observed per pass; the rest wait for the next one. */
const PER_PASS = 20;

/**
 * The track record of promoted proposals: once `PREDICTIVE_OBSERVATION_WINDOW_MS` has passed since
 * a promotion, what production showed over that window is kept beside the prediction
 * (`observed.window`, domain `windowEffect`) and announced as `io.strata.staging.proposal.observed.v1`.
 * The figures: the KPI series of the changed component whose metric matches
 * `PREDICTIVE_OBSERVATION_METRICS`, their window values before the promotion against after it; for an
 * index, also its statements measured again on production, against their times before the deploy.
 *
 * Runs every `PREDICTIVE_OBSERVATION_INTERVAL_MS` on every replica: each proposal is observed in a
 * transaction holding its row lock (others skip it), and only while `observed.window` is absent, so
 * a restart picks up whatever was due and nothing is observed twice.
 */
@Injectable()
export class ObservationService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('proposal-observation');
  private readonly passes = new PeriodicTask(
    () => this.runPass(),
    (error) => this.logger.warn('observation pass failed', { reason: String(error) }),
  );

  constructor(
    private readonly proposals: ProposalsRepository,
    private readonly series: SeriesRepository,
    private readonly transactions: PredictiveTransactions,
    private readonly targets: TargetDatabases,
    private readonly events: EventOutbox,
    @Inject(PREDICTIVE_STAGING_SETTINGS) private readonly settings: PredictiveStagingSettings,
  ) {}

  onApplicationBootstrap(): void {
    this.passes.start(this.settings.observation.intervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.passes.stop();
  }

  /** Observes every proposal that is due (up to a pass's worth); resolves with the ids observed. */
  async runPass(): Promise<string[]> {
    const observed: string[] = [];
    while (observed.length < PER_PASS) {
      const id = await this.transactions.run((manager) => this.observeNext(manager));
      if (id === null) break;
      observed.push(id);
    }
    return observed;
  }

  /** The next due proposal observed and announced under its row lock; null when none is due. */
  private async observeNext(manager: EntityManager): Promise<string | null> {
    const { windowMs, metrics } = this.settings.observation;
    const due = await this.proposals.lockDueForObservation(manager, windowMs);
    if (!due) return null;
    const { proposal, promotedAt } = due;
    const component = proposal.kind === 'index' ? proposal.component : String(proposal.target['component'] ?? proposal.component);
    const series = await this.series.windowsAround(manager, { stack: proposal.stack, environment: proposal.environment, component }, metrics, promotedAt, windowMs);
    const statements = proposal.kind === 'index' ? await this.measureStatementsAgain(proposal) : null;
    const effect = windowEffect({ windowMs, promotedAt, observedAt: new Date(), statements, series, predictedReduction: predictedReduction(proposal) });
    await this.proposals.saveObserved(manager, proposal.id, { ...(proposal.observed ?? {}), window: effect as unknown as Json });
    await this.announce(manager, proposal, effect);
    this.logger.info('proposal observed over its window', { proposalId: proposal.id, verdict: effect.verdict, reduction: effect.reduction });
    return proposal.id;
  }

  /**
   * An index's statements on production now, against their times before the deploy (kept by the
   * promotion). An unreachable target is recorded as each statement's error, not retried forever:
   * the window is over, and the KPI series still say what they saw.
   */
  private async measureStatementsAgain(proposal: ProposalRecord): Promise<ObservedEffect> {
    const queries = statementsOf(proposal);
    const kept = (proposal.promotion?.['before'] as ({ medianMs: number } | { error: string })[] | undefined) ?? [];
    const before = queries.map((_, position) => {
      const result = kept[position];
      return result === undefined ? new Error('not measured before the deploy') : 'error' in result ? new Error(result.error) : result;
    });
    const after = await this.targets
      .with(String(proposal.target['databaseUrlFrom']), 'target.databaseUrlFrom', (client) => measureStatements(client, queries, { ...OBSERVE_RUNS, parameters: stagedParameters(proposal) }))
      .catch((error: unknown) => queries.map(() => new Error(reasonOf(error))));
    const method = `EXPLAIN (ANALYZE) on the production target at the end of the window, read-only, median of ${OBSERVE_RUNS.runs} runs, against the same before the deploy`;
    return observedEffect(queries, before, after, predictedReduction(proposal), method, new Date());
  }

  private announce(manager: EntityManager, proposal: ProposalRecord, effect: WindowEffect): Promise<void> {
    const { id: proposalId, kind, stack, environment, component, title } = proposal;
    const data = { proposalId, kind, stack, environment, component, title: title.slice(0, 500), promotedAt: effect.promotedAt, windowMs: effect.windowMs, reduction: effect.reduction, predictedReduction: effect.predictedReduction, verdict: effect.verdict, summary: effect.summary.slice(0, 4_000) };
    return this.events.record(manager, this.events.create('io.strata.staging.proposal.observed.v1', stack, data));
  }
}

/** An error as the observation keeps it: a domain error's message with what each violation says (never a URL). */
function reasonOf(error: unknown): string {
  if (error instanceof DomainError) return [error.message, ...error.violations.map((violation) => violation.message)].join(': ');
  return error instanceof Error ? error.message : String(error);
}
