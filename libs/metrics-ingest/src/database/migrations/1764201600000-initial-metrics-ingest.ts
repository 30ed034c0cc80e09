import { createMessagingTables, dropMessagingTables } from '@strata/messaging';
import { MigrationInterface, QueryRunner } from 'typeorm';
import { METRICS_INGEST_SCHEMA } from '../metrics-ingest-schema';

export class InitialMetricsIngest1764201600000 implements MigrationInterface {
  name = 'InitialMetricsIngest1764201600000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await createMessagingTables(queryRunner, METRICS_INGEST_SCHEMA);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await dropMessagingTables(queryRunner, METRICS_INGEST_SCHEMA);
  }
}
