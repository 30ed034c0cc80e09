import { Inject, Injectable } from '@nestjs/common';
import type { KpiSeriesLabels } from '@strata/contracts';
import { EventOutbox } from '@strata/messaging';
import { Logger } from '@strata/observability';
import { EntityManager } from 'typeorm';
import { PREDICTIVE_STAGING_SETTINGS, PredictiveStagingSettings } from '../config/predictive-staging-settings';
import { type RegressionEvidence, type SkippedGroup, chooseLastKnownGood, expectedEffects, isRegression, mergeRegressionEvidence } from '../domain/app-version-proposal';
import { AnomaliesRepository, AnomalyRecord } from '../repositories/anomalies.repository';
import { DeploymentsRepository } from '../repositories/deployments.repository';
import { ProposalRecord, ProposalsRepository } from '../repositories/proposals.repository';
import { SeriesRepository } from '../repositories/series.repository';
import { announceProposal } from './proposal-events';

/** The actor of proposals this service makes on its own. */
const ACTOR = 'predictive-staging';

interface AppVersionEvidence {
  anomalies: RegressionEvidence[];
  /** Earlier groups passed over on the way to the last known good one, each with why. */
  skipped: SkippedGroup[];
}

/**
 * App-version proposals made from regression anomalies, in the anomaly's own transaction (the
 * detector's inbox transaction): a regression of the group deployed to an app component proposes
 * that component's last known good version, with the anomalies as evidence and each metric's level
 * under that version against now as the expected effect. One proposal stays open per stack,
 * environment and running group; later anomalies are added to its evidence (not announced again:
 * the proposal event says when a proposal is made or moves). No proposal when nothing earlier is
 * known good: the reason is logged.
 */
@Injectable()
export class AppVersionProposalsService {
  private readonly logger = new Logger('app-version-proposals');

  constructor(
    private readonly deployments: DeploymentsRepository,
    private readonly anomalies: AnomaliesRepository,
    private readonly series: SeriesRepository,
    private readonly proposals: ProposalsRepository,
    private readonly events: EventOutbox,
    @Inject(PREDICTIVE_STAGING_SETTINGS) private readonly settings: PredictiveStagingSettings,
  ) {}

  /** The proposal the anomaly made or added evidence to; null when it is no regression of a running app version, or nothing is known good. */
  async consider(manager: EntityManager, anomaly: AnomalyRecord): Promise<ProposalRecord | null> {
    const { stack, environment, component, stackConfig, metric } = anomaly.labels;
    const rule = this.settings.appVersion;
    if (stackConfig === undefined || !isRegression({ metric, severity: anomaly.severity, observed: anomaly.evidence.observed, expected: anomaly.evidence.expected }, rule)) return null;
    if ((await this.deployments.componentType(manager, stack, component)) !== 'app') return null;
    const evidence = evidenceOf(anomaly);
    const open = await this.proposals.findOpenAppVersion(manager, stack, environment, stackConfig);
    if (open) return this.addEvidence(manager, open, evidence);

    const history = await this.deployments.history(manager, stack, environment);
    const earlier = await this.anomalies.underGroups(manager, { stack, environment, component }, history.slice(1).map((deployment) => deployment.versionGroup), rule.minSeverity);
    const regressed = new Set(earlier.filter((signal) => isRegression(signal, rule)).map((signal) => signal.stackConfig));
    const choice = chooseLastKnownGood(history, component, stackConfig, regressed);
    if (!choice.found) {
      this.logger.info('a regression made no app-version proposal', { stack, environment, component, versionGroup: stackConfig, anomalyId: anomaly.id, reason: choice.reason });
      return null;
    }
    const { running, proposed } = choice;
    const created = await this.proposals.insertUnlessOpen(manager, {
      kind: 'app-version',
      stack,
      environment,
      component,
      title: `${component} ${running.version} → ${proposed.version} (last known good, ${proposed.versionGroup})`,
      reason: `${metric} regressed under ${component} ${running.version} (${running.versionGroup}): ${evidence.observed} where ${evidence.expected ?? 'no baseline'} was expected, score ${evidence.score.toFixed(2)}, ${evidence.severity}; ${proposed.versionGroup} ran before it in ${environment} without a regression anomaly`,
      target: { stack, environment, component, runningVersion: running.version, runningGroup: running.versionGroup },
      change: { type: 'app', reason: 'last-known-good', version: proposed.version, versionGroup: proposed.versionGroup, deployedAt: new Date(proposed.deployedAt).toISOString() },
      evidence: { anomalies: [evidence], skipped: choice.skipped } satisfies AppVersionEvidence as unknown as Record<string, unknown>,
      expected: await this.expectedOf(manager, anomaly.labels, [evidence], proposed.versionGroup),
      createdBy: ACTOR,
    });
    if (created) {
      await announceProposal(this.events, manager, created, null, ACTOR);
      return created;
    }
    // Another anomaly of the group made it while this one was judged: its evidence gets this one.
    const made = await this.proposals.findOpenAppVersion(manager, stack, environment, stackConfig);
    return made ? this.addEvidence(manager, made, evidence) : null;
  }

  private async addEvidence(manager: EntityManager, proposal: ProposalRecord, added: RegressionEvidence): Promise<ProposalRecord> {
    const kept = proposal.evidence as unknown as AppVersionEvidence;
    const anomalies = mergeRegressionEvidence(kept.anomalies, added);
    if (anomalies.length === kept.anomalies.length && anomalies.every((entry, i) => entry.anomalyId === kept.anomalies[i]?.anomalyId)) return proposal;
    const evidence = { ...kept, anomalies };
    const expected = await this.expectedOf(manager, proposal, anomalies, String(proposal.change['versionGroup']));
    await this.proposals.updateEvidence(manager, proposal.id, evidence, expected);
    return { ...proposal, evidence, expected };
  }

  /** Each metric of the evidence: its mean level under the proposed group (this service's kept windows) against the anomalies' values now. */
  private async expectedOf(manager: EntityManager, where: Pick<KpiSeriesLabels, 'stack' | 'environment' | 'component'>, evidence: readonly RegressionEvidence[], proposedGroup: string): Promise<Record<string, unknown>> {
    const levels = new Map<string, { mean: number; windows: number }>();
    for (const metric of new Set(evidence.map((entry) => entry.metric))) {
      const level = await this.series.levelUnder(manager, { stack: where.stack, environment: where.environment, component: where.component, metric }, proposedGroup);
      if (level) levels.set(metric, level);
    }
    return { metrics: expectedEffects(evidence, levels), method: `mean of the window values kept under ${proposedGroup} against the mean of the regression anomalies' observed values` };
  }
}

function evidenceOf(anomaly: AnomalyRecord): RegressionEvidence {
  return {
    anomalyId: anomaly.id,
    seriesId: anomaly.seriesId,
    metric: anomaly.labels.metric,
    node: anomaly.labels.node ?? null,
    at: anomaly.at,
    score: anomaly.score,
    severity: anomaly.severity,
    observed: anomaly.evidence.observed,
    expected: anomaly.evidence.expected,
  };
}
