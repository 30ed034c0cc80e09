import { Injectable } from '@nestjs/common';
import type { AnomalyDetectedV1, KpiSeriesLabels } from '@strata/contracts';
import { EntityManager } from 'typeorm';
import { PREDICTIVE_STAGING_SCHEMA } from '../database/predictive-staging-schema';
import { type SeverityName, severityRank } from '../domain/anomaly-evidence';
import { LabelFilter, Page, WhereClause, toPage } from './label-filter';
import { labelsOf } from './series.repository';

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

interface AnomalyRow {
  id: string;
  series_id: string;
  stack: string;
  environment: string;
  component: string;
  stack_config: string | null;
  node: string | null;
  metric: string;
  at: Date;
  score: number;
  severity: AnomalyDetectedV1['severity'];
  evidence: AnomalyDetectedV1['evidence'];
  detected_at: Date;
}

const COLUMNS = 'id::text AS id, series_id, stack, environment, component, stack_config, node, metric, at, score, severity, evidence, detected_at';

function toRecord(row: AnomalyRow): AnomalyRecord {
  return { id: row.id, seriesId: row.series_id, labels: labelsOf(row), at: row.at.getTime(), score: row.score, severity: row.severity, evidence: row.evidence, detectedAt: row.detected_at };
}

/** The only code touching stored anomalies. */
@Injectable()
export class AnomaliesRepository {
  async insert(manager: EntityManager, anomaly: NewAnomaly): Promise<AnomalyRecord> {
    const { labels } = anomaly;
    const rows = (await manager.query(
      `INSERT INTO "${schema}".anomalies (series_id, stack, environment, component, stack_config, node, metric, at, score, severity, severity_rank, evidence)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING ${COLUMNS}`,
      [
        anomaly.seriesId,
        labels.stack,
        labels.environment,
        labels.component,
        labels.stackConfig ?? null,
        labels.node ?? null,
        labels.metric,
        new Date(anomaly.at),
        anomaly.score,
        anomaly.severity,
        severityRank(anomaly.severity),
        JSON.stringify(anomaly.evidence),
      ],
    )) as AnomalyRow[];
    const row = rows[0];
    if (!row) throw new Error('anomaly insert returned no row');
    return toRecord(row);
  }

  async findById(manager: EntityManager, id: string): Promise<AnomalyRecord | null> {
    const rows = (await manager.query(`SELECT ${COLUMNS} FROM "${schema}".anomalies WHERE id = $1`, [id])) as AnomalyRow[];
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Newest first (by id, which follows detection order); `beforeId` is the previous page's cursor. */
  async search(manager: EntityManager, filter: AnomalyFilter, limit: number, beforeId: string | undefined): Promise<Page<AnomalyRecord>> {
    const where = new WhereClause().labels(filter);
    if (filter.minSeverity !== undefined) where.add((p) => `severity_rank >= ${p}`, severityRank(filter.minSeverity));
    if (filter.from !== undefined) where.add((p) => `at >= ${p}`, new Date(filter.from));
    if (filter.to !== undefined) where.add((p) => `at < ${p}`, new Date(filter.to));
    where.before(beforeId);
    const limitParameter = where.limitPlaceholder(limit);
    const rows = (await manager.query(`SELECT ${COLUMNS} FROM "${schema}".anomalies ${where.sql} ORDER BY id DESC LIMIT ${limitParameter}`, where.parameters)) as AnomalyRow[];
    return toPage(rows.map(toRecord), limit);
  }
}
