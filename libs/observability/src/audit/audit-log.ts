import type { Role } from '@strata/domain';

/** One accepted write: who made it (the verified token's principal), what, when, and what it answered. */
export interface AuditEntry {
  at: Date;
  principal: string;
  role: Role;
  /** The issued token's id; null for STRATA_ADMIN_TOKEN. */
  tokenId: string | null;
  /** Method and route template, e.g. `POST /v1/stacks/:stack/environments`. */
  action: string;
  /** The path as called, e.g. `/v1/stacks/checkout/environments`. */
  target: string;
  status: number;
  params: Record<string, string>;
  query: Record<string, unknown>;
  /** The request body as received (secrets redacted, large bodies summarised). */
  request: unknown;
  /** What the write answered: the state after it (secrets redacted, large bodies summarised). */
  after: unknown;
  correlationId: string | null;
}

/** An audit row as read back: the entry, the service that recorded it and its id there. */
export interface AuditRecord extends AuditEntry {
  service: string;
  id: string;
}

export interface AuditFilter {
  principal?: string;
  /** A prefix of the action, e.g. `DELETE` or `POST /v1/stacks`. */
  action?: string;
  /** A prefix of the target path, e.g. `/v1/stacks/checkout`. */
  target?: string;
  since?: Date;
  until?: Date;
}

/** Where a page continues: the (at, service, id) of the last row of the previous page, newest first. */
export interface AuditCursor {
  at: Date;
  service: string;
  id: string;
}

/** A service's audit table (its own schema); the only code that touches it. */
export interface AuditLog {
  readonly service: string;
  record(entry: AuditEntry): Promise<void>;
  /** Newest first, at most `limit` rows strictly after the cursor in that order. */
  page(filter: AuditFilter, limit: number, after: AuditCursor | undefined): Promise<AuditRecord[]>;
}
