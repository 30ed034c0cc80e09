import { StrataEvent } from '@strata/contracts';
import { EntityManager } from 'typeorm';

/** The only code that touches a service's inbox table: the event ids each consumer has applied. */
export class InboxRepository {
  constructor(readonly schema: string) {}

  /** Records the events as applied in one statement; returns the ids this consumer group had not applied before. */
  async claimAll(manager: EntityManager, consumerGroup: string, events: readonly StrataEvent[]): Promise<Set<string>> {
    const rows = (await manager.query(
      `INSERT INTO "${this.schema}".inbox (consumer_group, event_id, event_type)
       SELECT $1, event_id, event_type FROM unnest($2::text[], $3::text[]) AS e(event_id, event_type)
       ON CONFLICT DO NOTHING RETURNING event_id`,
      [consumerGroup, events.map((event) => event.id), events.map((event) => event.type)],
    )) as Array<{ event_id: string }>;
    return new Set(rows.map((row) => row.event_id));
  }

  async pruneOlderThan(manager: EntityManager, days: number): Promise<number> {
    const result = (await manager.query(
      `DELETE FROM "${this.schema}".inbox WHERE processed_at < now() - make_interval(days => $1)`,
      [days],
    )) as [unknown, number];
    return result[1];
  }
}
