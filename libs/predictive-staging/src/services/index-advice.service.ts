import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Logger } from '@strata/observability';
import { PeriodicTask } from '@strata/runtime';
import { EntityManager } from 'typeorm';
import { PREDICTIVE_STAGING_SETTINGS, PredictiveStagingSettings } from '../config/predictive-staging-settings';
import { isRegression } from '../domain/app-version-proposal';
import type { AnomalyRecord } from '../repositories/anomalies.repository';
import { DeploymentsRepository } from '../repositories/deployments.repository';
import { IndexAdviceRequestsRepository } from '../repositories/index-advice-requests.repository';
import { PredictiveTransactions } from '../repositories/transactions';
import { regressionEvidenceOf } from './app-version-proposals.service';
import { ProposalsService } from './proposals.service';

/** The actor of proposals this service makes on its own. */
const ACTOR = 'predictive-staging';

/** Requests advised per pass at most; the rest wait for the next. */
const PER_PASS = 10;

/**
 * Index proposals made from anomalies. A regression of a `db-schema` component's statement times
 * (metric matching `PREDICTIVE_INDEX_ADVICE_METRICS`, severity ≥ `PREDICTIVE_INDEX_ADVICE_MIN_SEVERITY`,
 * observed above expected) leaves, in the anomaly's own transaction, an advice request for the
 * component (one pending per component; later anomalies join it). The advisor does not run there:
 * it reads the target database and may build a staging copy, which no consumer transaction should
 * wait on. A pass every `PREDICTIVE_INDEX_ADVICE_INTERVAL_MS` takes each pending request under its
 * row lock (other replicas skip it), runs the advisor on the target's pg_stat_statements — the
 * database named by the variable the component's registered version gives as
 * `target.databaseUrlFrom` — and keeps its proposals with the anomalies as evidence; an index an open
 * proposal already proposes is not proposed again. A request that cannot be advised (no target
 * variable, the database unreachable) is closed as failed with the reason, not retried forever.
 */
@Injectable()
export class IndexAdviceService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('index-advice');
  private readonly passes = new PeriodicTask(
    () => this.runPass(),
    (error) => this.logger.warn('index advice pass failed', { reason: String(error) }),
  );

  constructor(
    private readonly requests: IndexAdviceRequestsRepository,
    private readonly deployments: DeploymentsRepository,
    private readonly transactions: PredictiveTransactions,
    private readonly proposals: ProposalsService,
    @Inject(PREDICTIVE_STAGING_SETTINGS) private readonly settings: PredictiveStagingSettings,
  ) {}

  onApplicationBootstrap(): void {
    this.passes.start(this.settings.indexAdvice.intervalMs);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.passes.stop();
  }

  /** In the anomaly's transaction: whether it left (or joined) an advice request. */
  async consider(manager: EntityManager, anomaly: AnomalyRecord): Promise<boolean> {
    const { stack, environment, component, metric } = anomaly.labels;
    const rule = this.settings.indexAdvice;
    if (!isRegression({ metric, severity: anomaly.severity, observed: anomaly.evidence.observed, expected: anomaly.evidence.expected }, rule)) return false;
    if ((await this.deployments.componentType(manager, stack, component)) !== 'db-schema') return false;
    await this.requests.request(manager, { stack, environment, component }, regressionEvidenceOf(anomaly));
    return true;
  }

  /** Advises every pending request (up to a pass's worth); resolves with the ids of the proposals made. */
  async runPass(): Promise<string[]> {
    const made: string[] = [];
    for (let advised = 0; advised < PER_PASS; advised++) {
      const outcome = await this.transactions.run((manager) => this.adviseOne(manager));
      if (outcome === null) break;
      made.push(...outcome);
    }
    return made;
  }

  private async adviseOne(manager: EntityManager): Promise<string[] | null> {
    const request = await this.requests.claim(manager);
    if (request === null) return null;
    const { stack, environment, component } = request;
    const databaseUrlFrom = await this.deployments.databaseUrlFrom(manager, stack, component);
    if (databaseUrlFrom === null) {
      await this.requests.finish(manager, request.id, 'failed', { reason: `no registered version of ${component} names target.databaseUrlFrom` });
      return [];
    }
    try {
      const advice = await this.proposals.proposeIndexes({ stack, environment, component, databaseUrlFrom, prompt: { anomalies: request.anomalies } }, ACTOR);
      const proposals = advice.proposals.map((proposal) => proposal.id);
      await this.requests.finish(manager, request.id, 'done', { statementsRead: advice.statementsRead, proposals, rejected: advice.rejected.map(({ table, columns, reason }) => ({ table, columns, reason })) });
      this.logger.info('index advice from anomalies', { stack, environment, component, proposals: proposals.length, rejected: advice.rejected.length });
      return proposals;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      await this.requests.finish(manager, request.id, 'failed', { reason });
      this.logger.warn('index advice from anomalies failed', { stack, environment, component, reason });
      return [];
    }
  }
}
