import { Injectable } from '@nestjs/common';
import type { ModelChoice } from '@strata/analytics';
import type { KpiSeriesLabels } from '@strata/contracts';
import { EntityManager } from 'typeorm';
import { PREDICTIVE_STAGING_SCHEMA } from '../database/predictive-staging-schema';
import type { MethodAccuracy } from '../domain/forecast-plan';
import { IdKeyedTable, LABEL_COLUMNS, LabelFilter, LabelledRow, Page, WhereClause, labelParameters, labelsOf } from './labelled-rows';

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

interface ForecastRow extends LabelledRow {
  id: string;
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

const COLUMNS = `id::text AS id, ${LABEL_COLUMNS}, made_at, first_at, step_ms, horizon, level, period,
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
  private readonly table = new IdKeyedTable(`"${schema}".forecasts`, COLUMNS, toRecord);

  insert(manager: EntityManager, forecast: NewForecast): Promise<ForecastRecord> {
    const { choice } = forecast;
    return this.table.insertReturning(
      manager,
      `INSERT INTO "${schema}".forecasts (${LABEL_COLUMNS}, made_at, first_at, step_ms, horizon, level, period,
         history_points, "values", lower, upper, model_kind, method, reason, explanation, choice, backtest, lstm_model_id, lstm_error)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, $22, $23, $24, $25) RETURNING ${COLUMNS}`,
      [
        ...labelParameters(forecast.seriesId, forecast.labels),
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
    );
  }

  findById(manager: EntityManager, id: string): Promise<ForecastRecord | null> {
    return this.table.findById(manager, id);
  }

  /**
   * The newest forecast of each per-node series of `metrics` in the stack's environment, made at or
   * after `since`: the per-node view one lb-weights proposal is made from.
   */
  async newestPerNode(manager: EntityManager, where: { stack: string; environment: string; metrics: readonly string[]; since: number }): Promise<ForecastRecord[]> {
    const rows = (await manager.query(
      `SELECT DISTINCT ON (series_id) ${COLUMNS} FROM "${schema}".forecasts
        WHERE stack = $1 AND environment = $2 AND metric = ANY($3) AND node IS NOT NULL AND made_at >= $4
        ORDER BY series_id, made_at DESC, forecasts.id DESC`,
      [where.stack, where.environment, where.metrics, new Date(where.since)],
    )) as ForecastRow[];
    return rows.map(toRecord);
  }

  /** Newest first; `beforeId` is the previous page's cursor. */
  search(manager: EntityManager, filter: ForecastFilter, limit: number, beforeId: string | undefined): Promise<Page<ForecastRecord>> {
    return this.table.page(manager, new WhereClause().labels(filter).between('made_at', filter), limit, beforeId);
  }
}
