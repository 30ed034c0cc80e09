import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { PREDICTIVE_STAGING_SCHEMA } from '../database/predictive-staging-schema';
import type { RegressionEvidence } from '../domain/app-version-proposal';

const schema = PREDICTIVE_STAGING_SCHEMA;

/** Anomalies a request keeps at most (the newest): a long incident does not grow the row. */
const MAX_ANOMALIES = 20;

export interface IndexAdviceRequest {
  id: string;
  stack: string;
  environment: string;
  component: string;
  anomalies: RegressionEvidence[];
}

/** The only code touching `index_advice_requests`. */
@Injectable()
export class IndexAdviceRequestsRepository {
  /** Leaves a pending request for the component, or adds the anomaly to the one pending. */
  async request(manager: EntityManager, where: { stack: string; environment: string; component: string }, anomaly: RegressionEvidence): Promise<void> {
    await manager.query(
      `INSERT INTO "${schema}".index_advice_requests (stack, environment, component, anomalies) VALUES ($1, $2, $3, jsonb_build_array($4::jsonb))
       ON CONFLICT (stack, environment, component) WHERE status = 'pending'
       DO UPDATE SET anomalies = (SELECT COALESCE(jsonb_agg(entry ORDER BY position), '[]'::jsonb) FROM (
         SELECT entry, position FROM jsonb_array_elements(index_advice_requests.anomalies || EXCLUDED.anomalies) WITH ORDINALITY AS t(entry, position)
         ORDER BY position DESC LIMIT ${MAX_ANOMALIES}) AS newest)`,
      [where.stack, where.environment, where.component, JSON.stringify(anomaly)],
    );
  }

  /** The oldest pending request, row-locked for the caller's transaction (another replica skips it); null when none is. */
  async claim(manager: EntityManager): Promise<IndexAdviceRequest | null> {
    // The column, not the text alias `id`: the oldest by number ('9' before '10').
    const rows = (await manager.query(`SELECT id::text AS id, stack, environment, component, anomalies FROM "${schema}".index_advice_requests WHERE status = 'pending' ORDER BY index_advice_requests.id LIMIT 1 FOR UPDATE SKIP LOCKED`)) as IndexAdviceRequest[];
    return rows[0] ?? null;
  }

  async finish(manager: EntityManager, id: string, status: 'done' | 'failed', outcome: Record<string, unknown>): Promise<void> {
    await manager.query(`UPDATE "${schema}".index_advice_requests SET status = $2, outcome = $3, finished_at = now() WHERE id = $1`, [id, status, JSON.stringify(outcome)]);
  }
}
