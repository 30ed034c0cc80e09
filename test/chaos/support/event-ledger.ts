import { Client } from 'pg';

/** The schemas whose services publish through an outbox and consume through an inbox. */
const SCHEMAS = ['registry', 'routing', 'rollback', 'metrics', 'staging'] as const;

export interface LedgerCount {
  /** `<schema> <consumer group>`. */
  consumer: string;
  expected: number;
  applied: number;
  lost: number;
}

/**
 * Events produced against events applied, by event id, for every consumer group of the services'
 * inboxes: a group is expected to apply every event of each type it applied at least once (the
 * inbox row is written in the handler's transaction, whatever the handler decides). Produced =
 * every outbox row of every schema; a missing inbox row is a lost event.
 */
export async function eventLedger(sql: Client): Promise<LedgerCount[]> {
  const produced = SCHEMAS.map((schema) => `SELECT event_id::text AS event_id, event_type FROM "${schema}".outbox`).join(' UNION ALL ');
  const counts: LedgerCount[] = [];
  for (const schema of SCHEMAS) {
    const { rows } = await sql.query<{ consumer_group: string; expected: number; applied: number }>(
      `WITH produced AS (${produced}),
            handled AS (SELECT DISTINCT consumer_group, event_type FROM "${schema}".inbox)
       SELECT handled.consumer_group,
              count(produced.event_id)::int AS expected,
              count(inbox.event_id)::int AS applied
       FROM handled
       JOIN produced ON produced.event_type = handled.event_type
       LEFT JOIN "${schema}".inbox inbox ON inbox.consumer_group = handled.consumer_group AND inbox.event_id = produced.event_id
       GROUP BY handled.consumer_group ORDER BY handled.consumer_group`,
    );
    counts.push(...rows.map((row) => ({ consumer: `${schema} ${row.consumer_group}`, expected: row.expected, applied: row.applied, lost: row.expected - row.applied })));
  }
  return counts;
}

/** Events still waiting in an outbox: the relays have not caught up yet. */
export async function outboxBacklog(sql: Client): Promise<number> {
  const { rows } = await sql.query<{ pending: number }>(
    `SELECT (${SCHEMAS.map((schema) => `(SELECT count(*) FROM "${schema}".outbox WHERE published_at IS NULL)`).join(' + ')})::int AS pending`,
  );
  return rows[0]?.pending ?? 0;
}

/**
 * Stack events a stack's routing catalog entry applied beyond those produced for it: an event
 * applied twice. (Fewer is a lost event, counted by the ledger.)
 */
export async function stackEventsAppliedTwice(sql: Client): Promise<number> {
  const { rows } = await sql.query<{ extra: number }>(
    `WITH produced AS (
       SELECT message_key AS stack, count(*) AS events FROM registry.outbox
       WHERE event_type IN ('io.strata.registry.stack.created.v1', 'io.strata.registry.environment.added.v1') GROUP BY message_key)
     SELECT coalesce(sum(greatest(known.applied_events - produced.events, 0)), 0)::int AS extra
     FROM routing.known_stacks known JOIN produced ON produced.stack = known.name`,
  );
  return rows[0]?.extra ?? 0;
}
