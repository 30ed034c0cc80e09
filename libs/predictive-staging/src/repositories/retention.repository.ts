import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { PREDICTIVE_STAGING_SCHEMA } from '../database/predictive-staging-schema';

const schema = PREDICTIVE_STAGING_SCHEMA;
/** Rows deleted per statement, so one pass never holds long locks on a large backlog. */
const BATCH = 10_000;

export interface PrunedRows {
  series: number;
  anomalies: number;
  forecasts: number;
}

/** The only code deleting what predictive-staging no longer needs. */
@Injectable()
export class RetentionRepository {
  /** Deletes series silent since before `cutoff` (their points, anomalies, forecasts and models go with them), then old anomalies and forecasts. */
  async pruneBefore(manager: EntityManager, cutoff: Date): Promise<PrunedRows> {
    const deleted = async (table: string, column: string): Promise<number> => {
      let total = 0;
      for (;;) {
        const result = (await manager.query(
          `DELETE FROM "${schema}".${table} WHERE ctid IN (SELECT ctid FROM "${schema}".${table} WHERE ${column} < $1 LIMIT ${BATCH})`,
          [cutoff],
        )) as [unknown, number];
        total += result[1];
        if (result[1] < BATCH) return total;
      }
    };
    return { series: await deleted('series', 'updated_at'), anomalies: await deleted('anomalies', 'at'), forecasts: await deleted('forecasts', 'made_at') };
  }
}
