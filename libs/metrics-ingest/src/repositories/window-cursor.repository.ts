import { Inject, Injectable } from '@nestjs/common';
import { StrataEvent } from '@strata/contracts';
import { EventOutbox } from '@strata/messaging';
import { dataSourceToken } from '@strata/persistence';
import { DataSource, EntityManager } from 'typeorm';
import { METRICS_INGEST_SCHEMA, METRICS_INGEST_SERVICE } from '../database/metrics-ingest-schema';

const schema = METRICS_INGEST_SCHEMA;

export interface WindowPublication {
  /** The end of the last window this publication covers; becomes the cursor. */
  publishedEnd: number;
  events: StrataEvent[];
}

/**
 * Window publication state. The cursor row is locked for the whole publication, so replicas take
 * turns (the loser skips), and the events and the cursor commit together: a window is published
 * exactly once into the outbox.
 */
@Injectable()
export class WindowCursorRepository {
  constructor(
    @Inject(dataSourceToken(METRICS_INGEST_SERVICE)) private readonly dataSource: DataSource,
    private readonly outbox: EventOutbox,
  ) {}

  /** Runs `publish` under the cursor lock; returns null when another replica holds it. */
  async publishUnderCursor(
    name: string,
    publish: (lastPublishedEnd: number | null, manager: EntityManager) => Promise<WindowPublication | null>,
  ): Promise<WindowPublication | null> {
    return this.dataSource.transaction(async (manager) => {
      await manager.query(`INSERT INTO "${schema}".window_cursor (name, window_end) VALUES ($1, 'epoch') ON CONFLICT (name) DO NOTHING`, [name]);
      const rows: Array<{ window_end: string }> = await manager.query(
        `SELECT (extract(epoch FROM window_end) * 1000)::bigint::text AS window_end FROM "${schema}".window_cursor WHERE name = $1 FOR UPDATE SKIP LOCKED`,
        [name],
      );
      if (!rows[0]) {
        return null;
      }
      const stored = Number(rows[0].window_end);
      const publication = await publish(stored === 0 ? null : stored, manager);
      if (!publication) {
        return null;
      }
      await this.outbox.record(manager, ...publication.events);
      await manager.query(`UPDATE "${schema}".window_cursor SET window_end = to_timestamp($2 / 1000.0::float8) WHERE name = $1`, [name, publication.publishedEnd]);
      return publication;
    });
  }
}
