import { StrataEvent } from '@strata/contracts';
import { EntityManager } from 'typeorm';

/** The only code that touches a service's inbox table: the event ids each consumer has applied. */
export class InboxRepository {
  constructor(readonly schema: string) {}

  /** Records the event as applied; false when this consumer group had already applied it. */
  async claim(manager: EntityManager, consumerGroup: string, event: StrataEvent): Promise<boolean> {
    const rows = (await manager.query(
      `INSERT INTO "${this.schema}".inbox (consumer_group, event_id, event_type) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [consumerGroup, event.id, event.type],
    )) as unknown[];
    return rows.length === 1;
  }

  async pruneOlderThan(manager: EntityManager, days: number): Promise<number> {
    const result = (await manager.query(
      `DELETE FROM "${this.schema}".inbox WHERE processed_at < now() - make_interval(days => $1)`,
      [days],
    )) as [unknown, number];
    return result[1];
  }
}
