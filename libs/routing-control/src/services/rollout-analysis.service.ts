import { Inject, Injectable } from '@nestjs/common';
import { AnalysisFigures, AnalysisOutcome, EMPTY_LATENCY_HISTOGRAM, RolloutEffect, RolloutState, WindowFigures, judgeByThresholds } from '@strata/domain';
import { EntityManager } from 'typeorm';
import { ROUTING_CONTROL_TUNING, RoutingControlTuning } from '../config/routing-control-tuning';
import { combineAnalyses, describeJudged, judgeRolloutWindows } from '../domain/canary-analysis';
import { RolloutEntity } from '../entities/rollout.entity';
import { KpiScope, KpiWindowsRepository } from '../repositories/kpi-windows.repository';
import { RoutingPoliciesService } from './routing-policies.service';

/** A rollout's analysis steps, judged over the KPI windows metrics-ingest published. */
@Injectable()
export class RolloutAnalysisService {
  constructor(
    private readonly kpiWindows: KpiWindowsRepository,
    private readonly policies: RoutingPoliciesService,
    @Inject(ROUTING_CONTROL_TUNING) private readonly tuning: RoutingControlTuning,
  ) {}

  /**
   * The step's judge over the canary's and the stable config's KPI windows lying inside the
   * step's window, or null while those windows have not all arrived yet (metrics-ingest publishes
   * a window a few seconds after it ends). Judging before they arrive is how a canary returning
   * 30 % errors was once promoted on a window that held none of them; after
   * `analysisDataWaitMs` the judge runs on what arrived (too little is inconclusive, never a pass).
   */
  async analyse(manager: EntityManager, rollout: RolloutEntity, state: RolloutState, due: Extract<RolloutEffect, { kind: 'analysisDue' }>): Promise<AnalysisOutcome | null> {
    const step = rollout.steps[due.stepIndex];
    if (step?.kind !== 'analysis') {
      return { verdict: 'inconclusive', findings: [`step ${due.stepIndex + 1} is not an analysis`] };
    }
    const policy = await this.policies.requireCurrent(manager, rollout.stack, rollout.environment);
    const scope = { stack: rollout.stack, environment: rollout.environment };
    const sides = { canary: rollout.versionGroup, stable: policy.config.stableConfig };
    const now = this.tuning.now();
    if (now < due.windowEnd + this.tuning.analysisDataWaitMs) {
      for (const stackConfig of Object.values(sides)) {
        const watermark = await this.kpiWindows.watermark(manager, { ...scope, stackConfig });
        // The last window ending inside the analysis window must have arrived.
        if (!watermark || watermark.latestEnd < Math.floor(due.windowEnd / watermark.windowMs) * watermark.windowMs) {
          return null;
        }
      }
    }
    const from = new Date(due.windowStart);
    const to = new Date(due.windowEnd);
    const canary = await this.kpiWindows.figures(manager, { ...scope, stackConfig: sides.canary }, from, to);
    const stable = await this.kpiWindows.figures(manager, { ...scope, stackConfig: sides.stable }, from, to);
    const figures: AnalysisFigures = { canary, stable };
    const thresholds = () => judgeByThresholds(step.rules, step.minSamples, figures);
    const statistical = async () => {
      const windows = await this.windowsInOrder(manager, scope, sides, from, to);
      return combineAnalyses([judgeRolloutWindows(windows, step.minSamples, state.canaryWeight), ...(step.rules.length > 0 ? [thresholds()] : [])]);
    };
    const outcome = step.judge === 'thresholds' ? thresholds() : await statistical();
    return { ...outcome, findings: [`judge ${step.judge} at ${state.canaryWeight} %`, describeJudged(canary, stable), ...outcome.findings] };
  }

  /** Both sides' figures per KPI window start, oldest first; a side without a window there served nothing. */
  private async windowsInOrder(manager: EntityManager, scope: KpiScope, sides: { canary: string; stable: string }, from: Date, to: Date): Promise<AnalysisFigures[]> {
    const canary = await this.kpiWindows.figuresByWindow(manager, { ...scope, stackConfig: sides.canary }, from, to);
    const stable = await this.kpiWindows.figuresByWindow(manager, { ...scope, stackConfig: sides.stable }, from, to);
    const starts = [...new Set([...canary.keys(), ...stable.keys()])].sort((a, b) => a - b);
    return starts.map((start) => ({ canary: canary.get(start) ?? SILENT, stable: stable.get(start) ?? SILENT }));
  }
}

const SILENT: WindowFigures = { requests: 0, errors: 0, latencyP99Ms: null, latencyMeanMs: null, latencyHistogram: EMPTY_LATENCY_HISTOGRAM };
