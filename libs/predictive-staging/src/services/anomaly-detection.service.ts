import { Inject, Injectable } from '@nestjs/common';
import { StreamingAnomalyDetector, type StreamingDetectorState } from '@strata/analytics';
import type { KpiWindowV1 } from '@strata/contracts';
import { EventOutbox } from '@strata/messaging';
import { Logger } from '@strata/observability';
import { EntityManager } from 'typeorm';
import { PREDICTIVE_STAGING_SETTINGS, PredictiveStagingSettings } from '../config/predictive-staging-settings';
import { type BaselineForecasts, anomalyEvidence, baselineForecasts, isReported } from '../domain/anomaly-evidence';
import { isCurrentDetectorState } from '../domain/detector-state';
import { windowObservation } from '../domain/observation';
import { AnomaliesRepository, AnomalyRecord } from '../repositories/anomalies.repository';
import { SeriesRepository } from '../repositories/series.repository';
import { AppVersionProposalsService } from './app-version-proposals.service';
import { IndexAdviceService } from './index-advice.service';
import { anomaliesReported, windowsJudged } from './predictive-metrics';

const TRIM_EVERY = 50;

interface RestoredDetector {
  detector: StreamingAnomalyDetector;
  baselines: BaselineForecasts;
}

/**
 * Runs each series' streaming detector on its KPI windows. The detector state, the window's value
 * in the series history, the anomaly, its event and the app-version proposal it makes (or adds
 * evidence to) commit together in the caller's (inbox) transaction, so a restart resumes exactly
 * where the last committed window left off.
 */
@Injectable()
export class AnomalyDetectionService {
  private readonly logger = new Logger('anomaly-detection');

  constructor(
    private readonly series: SeriesRepository,
    private readonly anomalies: AnomaliesRepository,
    private readonly events: EventOutbox,
    private readonly appVersions: AppVersionProposalsService,
    private readonly indexAdvice: IndexAdviceService,
    @Inject(PREDICTIVE_STAGING_SETTINGS) private readonly settings: PredictiveStagingSettings,
  ) {}

  /** Judges one window; returns the anomaly when its severity is reported. */
  async apply(manager: EntityManager, window: KpiWindowV1): Promise<AnomalyRecord | null> {
    const current = await this.series.lockForUpdate(manager, window.seriesId, window.series);
    // A window at or before the last one judged is a late or replayed copy: the detector has moved past it.
    if (current.lastWindowEnd !== null && window.windowEnd <= current.lastWindowEnd) return null;
    const observation = windowObservation(window);
    if (observation === null) return null;

    const { detector, baselines } = this.restore(window.seriesId, current.detectorState);
    const result = detector.update(observation.value);
    const windowsSeen = current.windowsSeen + 1;
    windowsJudged.inc();
    await this.series.saveDetector(manager, window.seriesId, { state: detector.toJSON(), windowsSeen, windowEnd: window.windowEnd, stepMs: window.windowEnd - window.windowStart });
    await this.series.appendPoint(manager, window.seriesId, { at: window.windowEnd, value: observation.value });
    // Trimming reads past the kept values; once every TRIM_EVERY windows keeps that cost small (history reads take the newest anyway).
    if (windowsSeen % TRIM_EVERY === 0) await this.series.trimHistory(manager, window.seriesId, this.settings.historyPoints);

    if (!isReported(result.severity, this.settings.minSeverity)) return null;
    const anomaly = await this.anomalies.insert(manager, {
      seriesId: window.seriesId,
      labels: window.series,
      at: window.windowEnd,
      score: result.score,
      severity: result.severity,
      evidence: anomalyEvidence(window, observation, result, baselines, windowsSeen),
    });
    anomaliesReported.inc({ severity: anomaly.severity });
    await this.events.record(
      manager,
      this.events.create('io.strata.anomaly.detected.v1', window.series.stack, {
        anomalyId: anomaly.id,
        seriesId: anomaly.seriesId,
        series: anomaly.labels,
        at: anomaly.at,
        score: anomaly.score,
        severity: anomaly.severity,
        evidence: anomaly.evidence,
      }),
    );
    await this.appVersions.consider(manager, anomaly);
    await this.indexAdvice.consider(manager, anomaly);
    return anomaly;
  }

  /**
   * A state written by an incompatible detector version must not stop the series for good: it
   * starts learning afresh, which costs a learning period of quiet, not a dead-lettered series.
   */
  private restore(seriesId: string, state: StreamingDetectorState | null): RestoredDetector {
    if (state !== null && isCurrentDetectorState(state)) {
      try {
        return { detector: StreamingAnomalyDetector.fromJSON(state), baselines: baselineForecasts(state) };
      } catch (error) {
        this.logger.warn('detector state unreadable; the series starts learning afresh', { seriesId, reason: (error as Error).message });
      }
    } else if (state !== null) {
      this.logger.warn('detector state from another detector version; the series starts learning afresh', { seriesId });
    }
    return { detector: new StreamingAnomalyDetector(), baselines: baselineForecasts(null) };
  }
}
