import { Inject, Injectable } from '@nestjs/common';
import { dataSourceToken } from '@strata/persistence';
import { DataSource } from 'typeorm';
import { METRICS_INGEST_SCHEMA, METRICS_INGEST_SERVICE } from '../database/metrics-ingest-schema';
import { DayPartition } from '../domain/partitions';

const schema = METRICS_INGEST_SCHEMA;
// Serialises partition DDL across replicas; the literal keeps the key stable across releases.
const PARTITION_DDL_LOCK = `hashtext('strata.metrics.partitions')`;

/** The only code that creates and drops partitions. */
@Injectable()
export class PartitionsRepository {
  constructor(@Inject(dataSourceToken(METRICS_INGEST_SERVICE)) private readonly dataSource: DataSource) {}

  async existing(): Promise<string[]> {
    const rows: Array<{ name: string }> = await this.dataSource.query(
      `SELECT child.relname AS name
       FROM pg_inherits
       JOIN pg_class child ON child.oid = pg_inherits.inhrelid
       JOIN pg_class parent ON parent.oid = pg_inherits.inhparent
       JOIN pg_namespace ns ON ns.oid = parent.relnamespace
       WHERE ns.nspname = $1`,
      [schema],
    );
    return rows.map((row) => row.name);
  }

  async create(partitions: readonly DayPartition[]): Promise<void> {
    if (partitions.length === 0) {
      return;
    }
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(${PARTITION_DDL_LOCK})`);
      for (const partition of partitions) {
        await manager.query(
          `CREATE TABLE IF NOT EXISTS "${schema}".${partition.name} PARTITION OF "${schema}".${partition.table}
           FOR VALUES FROM ('${new Date(partition.from).toISOString()}') TO ('${new Date(partition.to).toISOString()}')`,
        );
      }
    });
  }

  async drop(partitions: readonly DayPartition[]): Promise<void> {
    if (partitions.length === 0) {
      return;
    }
    await this.dataSource.transaction(async (manager) => {
      await manager.query(`SELECT pg_advisory_xact_lock(${PARTITION_DDL_LOCK})`);
      for (const partition of partitions) {
        await manager.query(`DROP TABLE IF EXISTS "${schema}".${partition.name}`);
      }
    });
  }
}
