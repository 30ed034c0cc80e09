import { StrataEvent, TopicName, topicOfEvent } from '@strata/contracts';
import { EntityManager } from 'typeorm';

export const OUTBOX_CHANNEL = 'strata_outbox';

export interface PendingOutboxRow {
  seq: string;
  topic: TopicName;
  messageKey: string | null;
  event: StrataEvent;
}

/** The only code that touches a service's outbox table. */
export class OutboxRepository {
  constructor(readonly schema: string) {}

  /**
   * Writes events in the caller's transaction, so they exist exactly when the state change
   * commits. The NOTIFY is delivered at commit and wakes the relay at once.
   */
  async append(manager: EntityManager, events: readonly StrataEvent[]): Promise<void> {
    if (events.length === 0) {
      return;
    }
    if (!manager.queryRunner?.isTransactionActive) {
      throw new Error('outbox rows must be written inside the transaction of the state change they describe');
    }
    await manager.query(
      `INSERT INTO "${this.schema}".outbox (event_id, event_type, topic, message_key, event)
       SELECT * FROM unnest($1::uuid[], $2::text[], $3::text[], $4::text[], $5::jsonb[])`,
      [
        events.map((event) => event.id),
        events.map((event) => event.type),
        events.map((event) => topicOfEvent(event.type)),
        events.map((event) => event.subject ?? null),
        events.map((event) => JSON.stringify(event)),
      ],
    );
    await manager.query('SELECT pg_notify($1, $2)', [OUTBOX_CHANNEL, this.schema]);
  }

  /** Only one relay per schema publishes at a time, so events leave in commit order. */
  async tryLeadership(manager: EntityManager, lockKey: string): Promise<boolean> {
    const [row] = (await manager.query('SELECT pg_try_advisory_xact_lock($1::bigint) AS locked', [lockKey])) as { locked: boolean }[];
    return row?.locked === true;
  }

  async pending(manager: EntityManager, limit: number): Promise<PendingOutboxRow[]> {
    return (await manager.query(
      `SELECT seq::text AS seq, topic, message_key AS "messageKey", event
         FROM "${this.schema}".outbox WHERE published_at IS NULL ORDER BY outbox.seq LIMIT $1`,
      [limit],
    )) as PendingOutboxRow[];
  }

  async markPublished(manager: EntityManager, seqs: readonly string[]): Promise<void> {
    await manager.query(`UPDATE "${this.schema}".outbox SET published_at = now() WHERE seq = ANY($1::bigint[])`, [seqs]);
  }

  async backlog(manager: EntityManager): Promise<number> {
    const [row] = (await manager.query(`SELECT count(*)::int AS count FROM "${this.schema}".outbox WHERE published_at IS NULL`)) as { count: number }[];
    return row?.count ?? 0;
  }

  async prunePublished(manager: EntityManager, olderThanHours: number): Promise<number> {
    const result = (await manager.query(
      `DELETE FROM "${this.schema}".outbox WHERE seq IN (
         SELECT seq FROM "${this.schema}".outbox
          WHERE published_at < now() - make_interval(hours => $1) LIMIT 10000)`,
      [olderThanHours],
    )) as [unknown, number];
    return result[1];
  }
}
