import { Inject, Injectable } from '@nestjs/common';
import type { KpiSeriesLabels } from '@strata/contracts';
import { EventOutbox } from '@strata/messaging';
import { Logger } from '@strata/observability';
import { EntityManager } from 'typeorm';
import { PREDICTIVE_STAGING_SETTINGS, PredictiveStagingSettings } from '../config/predictive-staging-settings';
import { type DeployedGroup, type RegressionEvidence, type SkippedGroup, chooseLastKnownGood, expectedEffects, isRegression, mergeRegressionEvidence } from '../domain/app-version-proposal';
import { type GroupRecord, type HealthyInStagingChoice, chooseNewerHealthyInStaging } from '../domain/healthy-in-staging';
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
  /** Groups in the environment's staging passed over on the way to a newer healthy version, each with why. */
  stagingSkipped: SkippedGroup[];
  /** The other candidate, when both were found: the newer version healthy in staging beside the last known good proposed. */
  alternative: { reason: 'healthy-in-staging'; versionGroup: string; version: string; stagedAt: string; windows: number } | null;
}

type Candidate = { reason: 'last-known-good' | 'healthy-in-staging'; versionGroup: string; version: string; deployedAt: number };

/**
 * App-version proposals made from regression anomalies, in the anomaly's own transaction (the
 * detector's inbox transaction): a regression of the group deployed to an app component proposes
 * that component's last known good version — or, when nothing earlier is known good, a newer
 * version that ran healthy in the environment's staging (the fix forward) — with the anomalies as
 * evidence and each metric's level under the proposed group against now as the expected effect.
 * Going back to what production ran well is preferred; the newer healthy version, when there is
 * one, is kept beside it as the alternative. One proposal stays open per stack, environment and
 * running group; later anomalies are added to its evidence (not announced again: the proposal event
 * says when a proposal is made or moves). No proposal when neither exists: the reasons are logged.
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
    const evidence = regressionEvidenceOf(anomaly);
    const open = await this.proposals.findOpenAppVersion(manager, stack, environment, stackConfig);
    if (open) return this.addEvidence(manager, open, evidence);

    const history = await this.deployments.history(manager, stack, environment);
    const earlier = await this.anomalies.underGroups(manager, { stack, environment, component }, history.slice(1).map((deployment) => deployment.versionGroup), rule.minSeverity);
    const regressed = new Set(earlier.filter((signal) => isRegression(signal, rule)).map((signal) => signal.stackConfig));
    const choice = chooseLastKnownGood(history, component, stackConfig, regressed);
    /** Why nothing earlier was chosen; a proposal of a newer version says it. */
    const noLastKnownGood = choice.found ? undefined : choice.reason;
    const runningVersion = runningVersionOf(history, component, stackConfig);
    const newer = runningVersion === undefined ? null : await this.newerInStaging(manager, anomaly.labels, runningVersion);
    const picked: Candidate | null = choice.found ? { reason: 'last-known-good', ...choice.proposed } : newer?.found ? { reason: 'healthy-in-staging', ...newer.proposed } : null;
    if (picked === null || runningVersion === undefined) {
      this.logger.info('a regression made no app-version proposal', { stack, environment, component, versionGroup: stackConfig, anomalyId: anomaly.id, reason: noLastKnownGood ?? 'the running version is unknown', staging: newer && !newer.found ? newer.reason : undefined });
      return null;
    }
    const alternative = choice.found && newer?.found ? { reason: 'healthy-in-staging' as const, versionGroup: newer.proposed.versionGroup, version: newer.proposed.version, stagedAt: new Date(newer.proposed.deployedAt).toISOString(), windows: newer.proposed.windows } : null;
    const kept: AppVersionEvidence = { anomalies: [evidence], skipped: choice.skipped, stagingSkipped: newer?.skipped ?? [], alternative };
    const created = await this.proposals.insertUnlessOpen(manager, {
      kind: 'app-version',
      stack,
      environment,
      component,
      title: `${component} ${runningVersion} → ${picked.version} (${picked.reason === 'last-known-good' ? 'last known good' : 'newer, healthy in staging'}, ${picked.versionGroup})`,
      reason: `${metric} regressed under ${component} ${runningVersion} (${stackConfig}): ${evidence.observed} where ${evidence.expected ?? 'no baseline'} was expected, score ${evidence.score.toFixed(2)}, ${evidence.severity}; ${picked.reason === 'last-known-good' ? `${picked.versionGroup} ran before it in ${environment} without a regression anomaly` : `nothing earlier is known good (${noLastKnownGood}); ${picked.versionGroup} ran ${component} ${picked.version} in ${environment}'s staging without a regression anomaly`}`,
      target: { stack, environment, component, runningVersion, runningGroup: stackConfig },
      change: { type: 'app', reason: picked.reason, version: picked.version, versionGroup: picked.versionGroup, deployedAt: new Date(picked.deployedAt).toISOString() },
      evidence: kept as unknown as Record<string, unknown>,
      expected: await this.expectedOf(manager, anomaly.labels, [evidence], picked.versionGroup),
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

  /** A newer version of the component that ran healthy in the environment's staging (`chooseNewerHealthyInStaging`). */
  private async newerInStaging(manager: EntityManager, labels: Pick<KpiSeriesLabels, 'stack' | 'environment' | 'component'>, runningVersion: string): Promise<HealthyInStagingChoice> {
    const where = { stack: labels.stack, environment: labels.environment, component: labels.component };
    const staging = await this.deployments.history(manager, where.stack, where.environment, 'staging');
    const groups = [...new Set(staging.map((deployment) => deployment.versionGroup))];
    const rule = this.settings.appVersion;
    const windows = await this.series.windowsUnder(manager, where, groups);
    const anomalies = await this.anomalies.underGroups(manager, where, groups, rule.minSeverity);
    const regressed = new Set(anomalies.filter((signal) => isRegression(signal, rule)).map((signal) => signal.stackConfig));
    const records = new Map<string, GroupRecord>(groups.map((group) => [group, { windows: windows.get(group) ?? 0, regressed: regressed.has(group) }]));
    return chooseNewerHealthyInStaging(staging, where.component, runningVersion, records, rule.stagingMinWindows);
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

/** The component's version in the running group, when the running group is what the environment's production runs. */
function runningVersionOf(history: readonly DeployedGroup[], component: string, runningGroup: string): string | undefined {
  const current = history[0];
  return current?.versionGroup === runningGroup ? current.members.find((member) => member.component === component)?.version : undefined;
}

/** What a proposal keeps of a regression anomaly for evidence. */
export function regressionEvidenceOf(anomaly: AnomalyRecord): RegressionEvidence {
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
