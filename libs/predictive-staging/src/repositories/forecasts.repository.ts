import { Injectable } from '@nestjs/common';
import type { ModelChoice } from '@strata/analytics';
import type { KpiSeriesLabels } from '@strata/contracts';
import { EntityManager } from 'typeorm';
import { PREDICTIVE_STAGING_SCHEMA } from '../database/predictive-staging-schema';
import type { MethodAccuracy } from '../domain/forecast-plan';
import { LabelFilter, Page, WhereClause, toPage } from './label-filter';
import { labelsOf } from './series.repository';

const schema = PREDICTIVE_STAGING_SCHEMA;

export interface NewForecast {
  seriesId: string;
  labels: KpiSeriesLabels;
  madeAt: number;
  firstAt: number;
  stepMs: number;
  horizon: number;
  level: number;
  period: number;
  historyPoints: number;
  values: readonly number[];
  lower: readonly number[];
  upper: readonly number[];
  choice: ModelChoice;
  explanation: string;
  backtest: readonly MethodAccuracy[];
  lstmModelId: string | null;
  /** Why no LSTM competed (training failed, too little history, turned off), null when one did. */
  lstmError: string | null;
}

export interface ForecastRecord extends NewForecast {
  id: string;
}

export interface ForecastFilter extends LabelFilter {
  from?: number;
  to?: number;
}

interface ForecastRow {
  id: string;
  series_id: string;
  stack: string;
  environment: string;
  component: string;
  stack_config: string | null;
  node: string | null;
  metric: string;
  made_at: Date;
  first_at: Date;
  step_ms: number;
  horizon: number;
  level: number;
  period: number;
  history_points: number;
  values: number[];
  lower: number[];
  upper: number[];
  choice: ModelChoice;
  explanation: string;
  backtest: MethodAccuracy[];
  lstm_model_id: string | null;
  lstm_error: string | null;
}

const COLUMNS = `id::text AS id, series_id, stack, environment, component, stack_config, node, metric, made_at, first_at, step_ms, horizon, level, period,
  history_points, "values", lower, upper, choice, explanation, backtest, lstm_model_id, lstm_error`;

function toRecord(row: ForecastRow): ForecastRecord {
  return {
    id: row.id,
    seriesId: row.series_id,
    labels: labelsOf(row),
    madeAt: row.made_at.getTime(),
    firstAt: row.first_at.getTime(),
    stepMs: row.step_ms,
    horizon: row.horizon,
    level: row.level,
    period: row.period,
    historyPoints: row.history_points,
    values: row.values,
    lower: row.lower,
    upper: row.upper,
    choice: row.choice,
    explanation: row.explanation,
    backtest: row.backtest,
    lstmModelId: row.lstm_model_id,
    lstmError: row.lstm_error,
  };
}

/** JSON has no Infinity or NaN: an undefined ratio or MASE is stored as null. */
function storableChoice(choice: ModelChoice): Record<string, unknown> {
  return Object.fromEntries(Object.entries(choice).map(([key, value]) => [key, typeof value === 'number' && !Number.isFinite(value) ? null : value]));
}

/** The only code touching stored forecasts. */
@Injectable()
export class ForecastsRepository {
  async insert(manager: EntityManager, forecast: NewForecast): Promise<ForecastRecord> {
    const { labels, choice } = forecast;
    const rows = (await manager.query(
      `INSERT INTO "${schema}".forecasts (series_id, stack, environment, component, stack_config, node, metric, made_at, first_at, step_ms, horizon, level, period,
         history_points, "values", lower, upper, model_kind, method, reason, explanation, choice, backtest, lstm_model_id, lstm_error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25) RETURNING ${COLUMNS}`,
      [
        forecast.seriesId,
        labels.stack,
        labels.environment,
        labels.component,
        labels.stackConfig ?? null,
        labels.node ?? null,
        labels.metric,
        new Date(forecast.madeAt),
        new Date(forecast.firstAt),
        forecast.stepMs,
        forecast.horizon,
        forecast.level,
        forecast.period,
        forecast.historyPoints,
        forecast.values,
        forecast.lower,
        forecast.upper,
        choice.kind,
        choice.method,
        choice.reason,
        forecast.explanation,
        JSON.stringify(storableChoice(choice)),
        JSON.stringify(forecast.backtest),
        forecast.lstmModelId,
        forecast.lstmError,
      ],
    )) as ForecastRow[];
    const row = rows[0];
    if (!row) throw new Error('forecast insert returned no row');
    return toRecord(row);
  }

  async findById(manager: EntityManager, id: string): Promise<ForecastRecord | null> {
    const rows = (await manager.query(`SELECT ${COLUMNS} FROM "${schema}".forecasts WHERE id = $1`, [id])) as ForecastRow[];
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Newest first; `beforeId` is the previous page's cursor. */
  async search(manager: EntityManager, filter: ForecastFilter, limit: number, beforeId: string | undefined): Promise<Page<ForecastRecord>> {
    const where = new WhereClause().labels(filter);
    if (filter.from !== undefined) where.add((p) => `made_at >= ${p}`, new Date(filter.from));
    if (filter.to !== undefined) where.add((p) => `made_at < ${p}`, new Date(filter.to));
    where.before(beforeId);
    const limitParameter = where.limitPlaceholder(limit);
    const rows = (await manager.query(`SELECT ${COLUMNS} FROM "${schema}".forecasts ${where.sql} ORDER BY id DESC LIMIT ${limitParameter}`, where.parameters)) as ForecastRow[];
    return toPage(rows.map(toRecord), limit);
  }
}
