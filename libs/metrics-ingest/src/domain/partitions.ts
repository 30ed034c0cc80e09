export const DAY_MS = 86_400_000;

/** The time-partitioned tables: raw data kept for the raw retention, rollups for theirs. */
export const RAW_TABLES = ['samples', 'histograms'] as const;
export const ROLLUP_TABLES = ['rollups_10s', 'rollups_1m'] as const;
export type PartitionedTable = (typeof RAW_TABLES)[number] | (typeof ROLLUP_TABLES)[number];
export const PARTITIONED_TABLES: readonly PartitionedTable[] = [...RAW_TABLES, ...ROLLUP_TABLES];

/** One day of one table, [from, to) in epoch milliseconds (UTC days). */
export interface DayPartition {
  table: PartitionedTable;
  name: string;
  from: number;
  to: number;
}

export function startOfUtcDay(epochMs: number): number {
  return Math.floor(epochMs / DAY_MS) * DAY_MS;
}

function dayLabel(dayStart: number): string {
  return new Date(dayStart).toISOString().slice(0, 10).replaceAll('-', '');
}

export function dayPartition(table: PartitionedTable, epochMs: number): DayPartition {
  const from = startOfUtcDay(epochMs);
  return { table, name: `${table}_p${dayLabel(from)}`, from, to: from + DAY_MS };
}

/** Parses a partition name back; null for anything this service did not name. */
export function parsePartitionName(name: string): DayPartition | null {
  const match = /^(samples|histograms|rollups_10s|rollups_1m)_p(\d{4})(\d{2})(\d{2})$/.exec(name);
  if (!match) {
    return null;
  }
  const from = Date.UTC(Number(match[2]), Number(match[3]) - 1, Number(match[4]));
  return Number.isNaN(from) ? null : dayPartition(match[1] as PartitionedTable, from);
}

export interface RetentionPolicy {
  rawRetentionDays: number;
  rollupRetentionDays: number;
  partitionsAheadDays: number;
}

/** The oldest instant a table still keeps: whole UTC days, so retention drops whole partitions. */
export function retentionHorizon(table: PartitionedTable, now: number, policy: RetentionPolicy): number {
  const days = (RAW_TABLES as readonly string[]).includes(table) ? policy.rawRetentionDays : policy.rollupRetentionDays;
  return startOfUtcDay(now) - days * DAY_MS;
}

/** The partitions that must exist now: today and the days ahead, for every table. */
export function partitionsToCreate(now: number, policy: RetentionPolicy): DayPartition[] {
  const today = startOfUtcDay(now);
  return PARTITIONED_TABLES.flatMap((table) =>
    Array.from({ length: policy.partitionsAheadDays + 1 }, (_, day) => dayPartition(table, today + day * DAY_MS)),
  );
}

/** The existing partitions wholly older than their table's retention horizon. */
export function partitionsToDrop(existing: readonly string[], now: number, policy: RetentionPolicy): DayPartition[] {
  return existing
    .map(parsePartitionName)
    .filter((partition): partition is DayPartition => partition !== null && partition.to <= retentionHorizon(partition.table, now, policy));
}

/** The window samples are accepted in: from the raw retention horizon to the last partition ahead. */
export function acceptedRange(now: number, policy: RetentionPolicy): { from: number; to: number } {
  return { from: retentionHorizon('samples', now, policy), to: startOfUtcDay(now) + (policy.partitionsAheadDays + 1) * DAY_MS };
}
