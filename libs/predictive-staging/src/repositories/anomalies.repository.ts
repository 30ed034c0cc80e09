import { Injectable } from '@nestjs/common';
import type { AnomalyDetectedV1, KpiSeriesLabels } from '@strata/contracts';
import { EntityManager } from 'typeorm';
import { PREDICTIVE_STAGING_SCHEMA } from '../database/predictive-staging-schema';
import { type SeverityName, severityRank } from '../domain/anomaly-evidence';
import type { AnomalySignal } from '../domain/app-version-proposal';
import { IdKeyedTable, LABEL_COLUMNS, LabelFilter, LabelledRow, Page, WhereClause, labelParameters, labelsOf } from './labelled-rows';

const schema = PREDICTIVE_STAGING_SCHEMA;

export interface NewAnomaly {
  seriesId: string;
  labels: KpiSeriesLabels;
  at: number;
  score: number;
  severity: AnomalyDetectedV1['severity'];
  evidence: AnomalyDetectedV1['evidence'];
}

export interface AnomalyRecord extends NewAnomaly {
  id: string;
  detectedAt: Date;
}

export interface AnomalyFilter extends LabelFilter {
  minSeverity?: SeverityName;
  from?: number;
  to?: number;
}

interface AnomalyRow extends LabelledRow {
  id: string;
  at: Date;
  score: number;
  severity: AnomalyDetectedV1['severity'];
  evidence: AnomalyDetectedV1['evidence'];
  detected_at: Date;
}

function toRecord(row: AnomalyRow): AnomalyRecord {
  return { id: row.id, seriesId: row.series_id, labels: labelsOf(row), at: row.at.getTime(), score: row.score, severity: row.severity, evidence: row.evidence, detectedAt: row.detected_at };
}

const COLUMNS = `id::text AS id, ${LABEL_COLUMNS}, at, score, severity, evidence, detected_at`;

/** The only code touching stored anomalies. */
@Injectable()
export class AnomaliesRepository {
  private readonly table = new IdKeyedTable(`"${schema}".anomalies`, COLUMNS, toRecord);

  insert(manager: EntityManager, anomaly: NewAnomaly): Promise<AnomalyRecord> {
    return this.table.insertReturning(
      manager,
      `INSERT INTO "${schema}".anomalies (${LABEL_COLUMNS}, at, score, severity, severity_rank, evidence)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING ${COLUMNS}`,
      [
        ...labelParameters(anomaly.seriesId, anomaly.labels),
        new Date(anomaly.at),
        anomaly.score,
        anomaly.severity,
        severityRank(anomaly.severity),
        JSON.stringify(anomaly.evidence),
      ],
    );
  }

  /**
   * What a last-known-good search needs of the anomalies recorded under some version groups of one
   * component: their group, metric, severity and values (at least `minSeverity`, newest first,
   * bounded: one regression per group is enough to disqualify it).
   */
  async underGroups(manager: EntityManager, where: { stack: string; environment: string; component: string }, groups: readonly string[], minSeverity: SeverityName): Promise<(AnomalySignal & { stackConfig: string })[]> {
    if (groups.length === 0) return [];
    const rows = (await manager.query(
      `SELECT stack_config, metric, severity, (evidence->>'observed')::float8 AS observed, (evidence->>'expected')::float8 AS expected FROM "${schema}".anomalies
        WHERE stack = $1 AND environment = $2 AND component = $3 AND stack_config = ANY($4) AND severity_rank >= $5 ORDER BY id DESC LIMIT 5000`,
      [where.stack, where.environment, where.component, groups, severityRank(minSeverity)],
    )) as { stack_config: string; metric: string; severity: SeverityName; observed: number; expected: number | null }[];
    return rows.map((row) => ({ stackConfig: row.stack_config, metric: row.metric, severity: row.severity, observed: row.observed, expected: row.expected }));
  }

  findById(manager: EntityManager, id: string): Promise<AnomalyRecord | null> {
    return this.table.findById(manager, id);
  }

  /** Newest first (by id, which follows detection order); `beforeId` is the previous page's cursor. */
  search(manager: EntityManager, filter: AnomalyFilter, limit: number, beforeId: string | undefined): Promise<Page<AnomalyRecord>> {
    const where = new WhereClause().labels(filter).between('at', filter);
    if (filter.minSeverity !== undefined) where.add((p) => `severity_rank >= ${p}`, severityRank(filter.minSeverity));
    return this.table.page(manager, where, limit, beforeId);
  }
}
