import { Inject, Injectable } from '@nestjs/common';
import { DomainError, type NodeForecast, forecastSkill, proposeLbWeights } from '@strata/domain';
import { EventOutbox } from '@strata/messaging';
import { Logger } from '@strata/observability';
import { EntityManager } from 'typeorm';
import { PREDICTIVE_STAGING_SETTINGS, PredictiveStagingSettings } from '../config/predictive-staging-settings';
import { DeploymentsRepository } from '../repositories/deployments.repository';
import { ForecastRecord, ForecastsRepository } from '../repositories/forecasts.repository';
import { ProposalRecord, ProposalsRepository } from '../repositories/proposals.repository';
import { PredictiveTransactions } from '../repositories/transactions';
import { announceProposal } from './proposal-events';

/** The actor of proposals this service makes on its own. */
const ACTOR = 'predictive-staging';

/** A node's forecast left out of a proposal, with why. */
export interface LbWeightsSkip {
  forecastId: string;
  node: string;
  reason: string;
}

/** What one consideration came to: the proposal made or refined, or why none (`reason`), and the forecasts that stopped it. */
export interface LbWeightsOutcome {
  proposal: ProposalRecord | null;
  made: boolean;
  reason: string | null;
  skipped: LbWeightsSkip[];
}

const iso = (at: number): string => new Date(at).toISOString();

/**
 * lb-weights proposals from per-node load forecasts: when a node's load forecast is stored (in the
 * forecast's own transaction) or on request, the newest load forecasts of the other nodes of the
 * same stack config and horizon are taken together; if every one beat its baselines on its
 * backtest (domain `forecastSkill`) and the loads at the forecast peak are uneven enough, weights that even them out are
 * proposed, with the peak time (the deadline to stage them by), the forecasts and their backtest
 * scores as evidence, and each node's peak load before and after as the expected effect.
 *
 * The current weights are taken as even (a config without nodeWeights is spread by power of two
 * choices); weights an earlier promotion deployed (the lb-rule's nodeWeights) are not read back yet.
 */
@Injectable()
export class LbWeightsProposalsService {
  private readonly logger = new Logger('lb-weights-proposals');

  constructor(
    private readonly forecasts: ForecastsRepository,
    private readonly deployments: DeploymentsRepository,
    private readonly proposals: ProposalsRepository,
    private readonly transactions: PredictiveTransactions,
    private readonly events: EventOutbox,
    @Inject(PREDICTIVE_STAGING_SETTINGS) private readonly settings: PredictiveStagingSettings,
  ) {}

  /** In the forecast's transaction: a per-node load forecast proposes or refines its horizon's weights; null for any other forecast. */
  async onForecast(manager: EntityManager, forecast: ForecastRecord): Promise<LbWeightsOutcome | null> {
    if (forecast.labels.metric !== this.settings.lbWeights.loadMetric || forecast.labels.node === undefined) return null;
    return this.consider(manager, forecast, ACTOR);
  }

  /** On request: from the newest per-node load forecast of the stack's environment; none → 422 naming `stack`. */
  propose(stack: string, environment: string, actor: string): Promise<LbWeightsOutcome> {
    const { loadMetric } = this.settings.lbWeights;
    return this.transactions.run(async (manager) => {
      const loads = await this.forecasts.newestPerNode(manager, { stack, environment, metrics: [loadMetric], since: 0 });
      const newest = loads.reduce<ForecastRecord | null>((kept, forecast) => (kept === null || forecast.madeAt > kept.madeAt ? forecast : kept), null);
      if (newest === null) {
        throw DomainError.invalid(`no per-node forecast of ${loadMetric} in ${stack}/${environment}`, [{ field: 'stack', message: `has no per-node ${loadMetric} forecast in environment ${environment}` }]);
      }
      return this.consider(manager, newest, actor);
    });
  }

  private async consider(manager: EntityManager, trigger: ForecastRecord, actor: string): Promise<LbWeightsOutcome> {
    const { stack, environment, component } = trigger.labels;
    const stackConfig = trigger.labels.stackConfig ?? null;
    const { loadMetric, latencyMetric, minImbalance, minWeight } = this.settings.lbWeights;
    const span = trigger.horizon * trigger.stepMs;
    const sameHorizon = (forecast: ForecastRecord) =>
      (forecast.labels.stackConfig ?? null) === stackConfig && forecast.stepMs === trigger.stepMs && Math.abs(forecast.firstAt - trigger.firstAt) < trigger.stepMs / 2;
    const newest = (await this.forecasts.newestPerNode(manager, { stack, environment, metrics: [loadMetric, latencyMetric], since: trigger.madeAt - span })).filter(sameHorizon);
    const loads = newest.filter((forecast) => forecast.labels.metric === loadMetric);
    const latencies = new Map(newest.filter((forecast) => forecast.labels.metric === latencyMetric).map((forecast) => [forecast.labels.node ?? '', forecast]));
    const nobody = (reason: string, skipped: LbWeightsSkip[] = []): LbWeightsOutcome => {
      this.logger.info('per-node forecasts made no lb-weights proposal', { stack, environment, stackConfig, horizonStart: iso(trigger.firstAt), reason, skipped });
      return { proposal: null, made: false, reason, skipped };
    };

    const skills = loads.map((forecast) => ({ forecast, node: forecast.labels.node ?? '', skill: forecastSkill(forecast.choice, forecast.backtest) }));
    const skipped = skills.flatMap(({ forecast, node, skill }) => (skill.better ? [] : [{ forecastId: forecast.id, node, reason: skill.reason }]));
    if (skipped.length > 0) return nobody(`the load forecast of ${skipped.map((skip) => `${skip.node} (${skip.reason})`).join('; ')}: weights are not proposed from a forecast no better than a baseline`, skipped);

    const nodes: NodeForecast[] = loads.map((forecast) => {
      const latency = latencies.get(forecast.labels.node ?? '');
      return { node: forecast.labels.node ?? '', load: forecast.values, ...(latency ? { latency: latency.values } : {}) };
    });
    const even = Math.round((100 / Math.max(1, nodes.length)) * 100) / 100;
    const current = Object.fromEntries(nodes.map((node) => [node.node, even]));
    const outcome = proposeLbWeights({ nodes, current, firstAt: trigger.firstAt, stepMs: trigger.stepMs, minImbalance, minWeight });
    if (!outcome.proposed) return nobody(outcome.reason);

    const lbRule = (await this.deployments.componentsOfType(manager, stack, 'lb-rule'))[0];
    const horizon = { start: iso(trigger.firstAt), end: iso(trigger.firstAt + span), stepMs: trigger.stepMs, steps: trigger.horizon };
    const peakAt = iso(outcome.peakAt);
    const before = Math.max(...outcome.effect.map((entry) => entry.peakLoadBefore));
    const after = Math.max(...outcome.effect.map((entry) => entry.peakLoadAfter));
    const upserted = await this.proposals.upsertLbWeights(manager, {
      kind: 'lb-weights',
      stack,
      environment,
      component: lbRule ?? component,
      title: `${stackConfig ?? stack} node weights before the ${peakAt} peak: ${outcome.effect.map((entry) => `${entry.node} ${entry.currentWeight} → ${entry.proposedWeight}`).join(', ')}`,
      reason: `${loadMetric} forecast at the ${peakAt} peak: ${outcome.effect.map((entry) => `${entry.node} ${entry.peakLoadBefore}`).join(', ')} (${Math.round(outcome.imbalance * 100)} % above the mean at most); the proposed weights bring the busiest node from ${before} to ${after}`,
      target: { stack, environment, component, stackConfig, horizonStart: horizon.start, peakAt },
      change: { type: 'lb-rule', scope: 'node-weights', stackConfig, current, weights: { ...outcome.weights }, horizon, peakAt },
      evidence: {
        forecasts: skills.map(({ forecast, node, skill }) => ({ forecastId: forecast.id, seriesId: forecast.seriesId, node, metric: loadMetric, madeAt: iso(forecast.madeAt), method: forecast.choice.method, ...(skill.better ? { mase: skill.mase, baseline: skill.baseline, baselineMase: skill.baselineMase } : {}) })),
        latencyForecasts: [...latencies.values()].map((forecast) => ({ forecastId: forecast.id, node: forecast.labels.node ?? null, metric: latencyMetric })),
      },
      expected: { peakAt, imbalance: outcome.imbalance, maxPeakLoadBefore: before, maxPeakLoadAfter: after, nodes: outcome.effect.map((entry) => ({ ...entry })), method: 'each node\'s forecast peak load scaled by its proposed share over its current share' },
      createdBy: actor,
    });
    if (upserted === null) return { proposal: null, made: false, reason: `the horizon starting ${horizon.start} already has an lb-weights proposal that has moved on`, skipped: [] };
    if (upserted.made) await announceProposal(this.events, manager, upserted.proposal, null, actor);
    return { proposal: upserted.proposal, made: upserted.made, reason: null, skipped: [] };
  }
}
