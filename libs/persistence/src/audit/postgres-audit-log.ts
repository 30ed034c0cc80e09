import type { AuditCursor, AuditEntry, AuditFilter, AuditLog, AuditRecord } from '@strata/observability';
import type { Role } from '@strata/domain';
import { DataSource } from 'typeorm';

interface AuditRow {
  id: string;
  at: Date;
  principal: string;
  role: Role;
  token_id: string | null;
  action: string;
  target: string;
  status: number;
  params: Record<string, string>;
  query: Record<string, unknown>;
  request: unknown;
  after: unknown;
  correlation_id: string | null;
}

/** A service's audit_log table: the only code that reads or writes it. */
export class PostgresAuditLog implements AuditLog {
  constructor(
    readonly service: string,
    private readonly schema: string,
    private readonly dataSource: DataSource,
  ) {}

  async record(entry: AuditEntry): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO "${this.schema}".audit_log (at, principal, role, token_id, action, target, status, params, query, request, after, correlation_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
      [
        entry.at,
        entry.principal,
        entry.role,
        entry.tokenId,
        entry.action,
        entry.target,
        entry.status,
        JSON.stringify(entry.params),
        JSON.stringify(entry.query),
        entry.request === null ? null : JSON.stringify(entry.request),
        entry.after === null ? null : JSON.stringify(entry.after),
        entry.correlationId,
      ],
    );
  }

  async page(filter: AuditFilter, limit: number, after: AuditCursor | undefined): Promise<AuditRecord[]> {
    const conditions: string[] = [];
    const values: unknown[] = [];
    const bind = (value: unknown) => `$${values.push(value)}`;
    if (filter.principal !== undefined) conditions.push(`principal = ${bind(filter.principal)}`);
    if (filter.action !== undefined) conditions.push(`starts_with(action, ${bind(filter.action)})`);
    if (filter.target !== undefined) conditions.push(`starts_with(target, ${bind(filter.target)})`);
    if (filter.since !== undefined) conditions.push(`at >= ${bind(filter.since)}`);
    if (filter.until !== undefined) conditions.push(`at < ${bind(filter.until)}`);
    if (after !== undefined) {
      // The merged order is (at, service, id) descending: this service's rows after the cursor.
      const sameInstant = after.service === this.service ? `id < ${bind(after.id)}::bigint` : this.service < after.service ? 'true' : 'false';
      conditions.push(`(at < ${bind(after.at)} OR (at = ${bind(after.at)} AND ${sameInstant}))`);
    }
    // `audit_log.id`, not the text alias `id`: numeric order, as the cursor compares and the index holds it.
    const rows = (await this.dataSource.query(
      `SELECT id::text AS id, at, principal, role, token_id, action, target, status, params, query, request, after, correlation_id
         FROM "${this.schema}".audit_log ${conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : ''}
        ORDER BY at DESC, audit_log.id DESC LIMIT ${bind(limit)}`,
      values,
    )) as AuditRow[];
    return rows.map((row) => ({
      service: this.service,
      id: row.id,
      at: row.at,
      principal: row.principal,
      role: row.role,
      tokenId: row.token_id,
      action: row.action,
      target: row.target,
      status: row.status,
      params: row.params,
      query: row.query,
      request: row.request,
      after: row.after,
      correlationId: row.correlation_id,
    }));
  }
}
