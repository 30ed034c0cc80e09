import { Injectable } from '@nestjs/common';
import type { SavedLstmModel } from '@strata/analytics';
import { EntityManager } from 'typeorm';
import { PREDICTIVE_STAGING_SCHEMA } from '../database/predictive-staging-schema';

const schema = PREDICTIVE_STAGING_SCHEMA;

export interface LstmTrainingMetrics {
  epochSeconds: readonly number[];
  trainingWindows: number;
  validationWindows: number;
  trainingPoints: number;
  /** Wall time of the whole training, worker start-up included. */
  trainingSeconds: number;
}

export interface StoredLstmModel {
  id: string;
  seriesId: string;
  model: SavedLstmModel;
  metrics: LstmTrainingMetrics;
  /** Time of the last value the model was trained on. */
  trainedThrough: number;
  trainedAt: Date;
}

interface ModelRow {
  id: string;
  series_id: string;
  format: SavedLstmModel['format'];
  tfjs_version: string;
  topology: object;
  weight_specs: SavedLstmModel['weightSpecs'];
  weights: Buffer;
  scaler: SavedLstmModel['scaler'];
  residual_quantiles: SavedLstmModel['residualQuantiles'];
  config: SavedLstmModel['config'];
  validation_loss: number;
  training_metrics: LstmTrainingMetrics;
  trained_through: Date;
  trained_at: Date;
}

function toStored(row: ModelRow): StoredLstmModel {
  return {
    id: row.id,
    seriesId: row.series_id,
    model: {
      format: row.format,
      tfjsVersion: row.tfjs_version,
      config: row.config,
      scaler: row.scaler,
      modelTopology: row.topology,
      weightSpecs: row.weight_specs,
      weightData: new Uint8Array(row.weights.buffer, row.weights.byteOffset, row.weights.byteLength),
      residualQuantiles: row.residual_quantiles,
      validationLoss: row.validation_loss,
    },
    metrics: row.training_metrics,
    trainedThrough: row.trained_through.getTime(),
    trainedAt: row.trained_at,
  };
}

/** Older models kept per series besides the newest: enough to compare, not a growing archive (forecasts of a pruned one keep their figures). */
const KEPT_PER_SERIES = 3;

/** The only code touching stored LSTM models: topology JSON, weight bytes, scaler and tfjs version. */
@Injectable()
export class LstmModelsRepository {
  async save(manager: EntityManager, seriesId: string, model: SavedLstmModel, metrics: LstmTrainingMetrics, trainedThrough: number): Promise<StoredLstmModel> {
    const rows = (await manager.query(
      `INSERT INTO "${schema}".lstm_models (series_id, format, tfjs_version, topology, weight_specs, weights, scaler, residual_quantiles, config, validation_loss, training_metrics, trained_through)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12) RETURNING *`,
      [
        seriesId,
        model.format,
        model.tfjsVersion,
        JSON.stringify(model.modelTopology),
        JSON.stringify(model.weightSpecs),
        Buffer.from(model.weightData.buffer, model.weightData.byteOffset, model.weightData.byteLength),
        JSON.stringify(model.scaler),
        JSON.stringify(model.residualQuantiles),
        JSON.stringify(model.config),
        model.validationLoss,
        JSON.stringify(metrics),
        new Date(trainedThrough),
      ],
    )) as ModelRow[];
    const row = rows[0];
    if (!row) throw new Error('model insert returned no row');
    await manager.query(
      `DELETE FROM "${schema}".lstm_models WHERE series_id = $1 AND id NOT IN (
         SELECT id FROM "${schema}".lstm_models WHERE series_id = $1 ORDER BY trained_at DESC, id LIMIT $2)`,
      [seriesId, KEPT_PER_SERIES + 1],
    );
    return toStored(row);
  }

  async findById(manager: EntityManager, id: string): Promise<StoredLstmModel | null> {
    const rows = (await manager.query(`SELECT * FROM "${schema}".lstm_models WHERE id = $1`, [id])) as ModelRow[];
    return rows[0] ? toStored(rows[0]) : null;
  }

  async newest(manager: EntityManager, seriesId: string): Promise<StoredLstmModel | null> {
    const rows = (await manager.query(`SELECT * FROM "${schema}".lstm_models WHERE series_id = $1 ORDER BY trained_at DESC LIMIT 1`, [seriesId])) as ModelRow[];
    return rows[0] ? toStored(rows[0]) : null;
  }
}
