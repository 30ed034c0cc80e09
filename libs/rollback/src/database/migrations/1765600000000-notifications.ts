import { MigrationInterface, QueryRunner } from 'typeorm';
import { ROLLBACK_SCHEMA } from '../rollback-schema';

const S = ROLLBACK_SCHEMA;

/** Notification channels (Slack-compatible or plain JSON webhooks) and their deliveries, sent in order per channel with retries. */
export class Notifications1765600000000 implements MigrationInterface {
  name = 'Notifications1765600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`
      CREATE TABLE "${S}".notification_channels (
        id uuid PRIMARY KEY,
        name text NOT NULL UNIQUE,
        format text NOT NULL CHECK (format IN ('slack', 'json')),
        url text NOT NULL,
        secret_from text NOT NULL,
        events jsonb NOT NULL,
        created_by text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now()
      )`);
    await queryRunner.query(`
      CREATE TABLE "${S}".notification_deliveries (
        id bigserial PRIMARY KEY,
        channel_id uuid NOT NULL REFERENCES "${S}".notification_channels (id) ON DELETE CASCADE,
        event text NOT NULL,
        body jsonb NOT NULL,
        status text NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz
      )`);
    await queryRunner.query(`CREATE INDEX notification_deliveries_pending ON "${S}".notification_deliveries (channel_id, id) WHERE status = 'pending'`);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.query(`DROP TABLE "${S}".notification_deliveries`);
    await queryRunner.query(`DROP TABLE "${S}".notification_channels`);
  }
}
