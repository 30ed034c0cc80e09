import { MigrationInterface, QueryRunner } from 'typeorm';
import { METRICS_INGEST_SCHEMA } from '../metrics-ingest-schema';
import { CREATE_MERGE_SKETCHES, CREATE_SKETCH_KEY } from './1764288000000-series-samples-rollups';

const schema = METRICS_INGEST_SCHEMA;

/** The rollups' sketches are computed in Node and merged in the upsert; these functions have no caller. */
export class DropSqlSketchHelpers1764500000000 implements MigrationInterface {
  name = 'DropSqlSketchHelpers1764500000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP FUNCTION "${schema}".merge_sketches(jsonb, jsonb)`);
    await queryRunner.query(`DROP FUNCTION "${schema}".sketch_key(double precision)`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(CREATE_SKETCH_KEY);
    await queryRunner.query(CREATE_MERGE_SKETCHES);
  }
}
