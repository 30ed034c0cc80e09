import { Injectable } from '@nestjs/common';
import { ProposalKind, ProposalStatus } from '@strata/domain';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { PREDICTIVE_STAGING_SCHEMA } from '../database/predictive-staging-schema';

const schema = PREDICTIVE_STAGING_SCHEMA;

export type Json = Record<string, unknown>;

export interface NewProposal {
  kind: ProposalKind;
  stack: string;
  environment: string;
  component: string;
  title: string;
  reason: string;
  /** Where the change applies: for an index, the variable naming the target database (never the URL). */
  target: Json;
  /** The change itself: for an index, its table, columns, up and down SQL. */
  change: Json;
  evidence: Json;
  expected: Json;
  createdBy: string;
}

export interface ProposalRecord extends NewProposal {
  id: string;
  seq: string;
  status: ProposalStatus;
  staging: Json | null;
  observed: Json | null;
  promotion: Json | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ProposalTransitionRecord {
  from: ProposalStatus | null;
  to: ProposalStatus;
  actor: string;
  reason: string;
  at: Date;
}

/** The figures a move may replace: what staging measured, what the promotion made, what production showed. */
export interface ProposalFigures {
  staging?: Json;
  promotion?: Json;
  observed?: Json;
}

export interface ProposalFilter {
  stack?: string;
  environment?: string;
  kind?: ProposalKind;
  status?: ProposalStatus;
}

interface ProposalRow {
  id: string;
  seq: string;
  kind: ProposalKind;
  stack: string;
  environment: string;
  component: string;
  title: string;
  status: ProposalStatus;
  reason: string;
  target: Json;
  change: Json;
  evidence: Json;
  expected: Json;
  staging: Json | null;
  observed: Json | null;
  promotion: Json | null;
  created_by: string;
  created_at: Date;
  updated_at: Date;
}

const COLUMNS = 'id, seq::text AS seq, kind, stack, environment, component, title, status, reason, target, change, evidence, expected, staging, observed, promotion, created_by, created_at, updated_at';

function toRecord(row: ProposalRow): ProposalRecord {
  return {
    id: row.id,
    seq: row.seq,
    kind: row.kind,
    stack: row.stack,
    environment: row.environment,
    component: row.component,
    title: row.title,
    status: row.status,
    reason: row.reason,
    target: row.target,
    change: row.change,
    evidence: row.evidence,
    expected: row.expected,
    staging: row.staging,
    observed: row.observed,
    promotion: row.promotion,
    createdBy: row.created_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

/** The only code touching stored proposals and their transitions. */
@Injectable()
export class ProposalsRepository {
  async insert(manager: EntityManager, proposal: NewProposal): Promise<ProposalRecord> {
    return (await this.insertRow(manager, proposal, '')) as ProposalRecord;
  }

  /**
   * Inserts an app-version proposal unless one is open (proposed, staged or validated) for the same
   * stack, environment and running group; null when one is (the unique index decides, so two
   * concurrent anomalies cannot both insert).
   */
  insertUnlessOpen(manager: EntityManager, proposal: NewProposal): Promise<ProposalRecord | null> {
    return this.insertRow(manager, proposal, `ON CONFLICT (stack, environment, (target->>'runningGroup')) WHERE kind = 'app-version' AND status IN ('proposed', 'staged', 'validated') DO NOTHING`);
  }

  /**
   * The lb-weights proposal of a stack config's forecast horizon: inserted, or — while it is only
   * proposed — its change, evidence and expected effect replaced by `proposal`'s (a later node's
   * forecast of the same horizon refines it). `made` says which; null when it has moved on (staged,
   * promoted or rejected: a horizon's weights are not re-proposed behind an operator's decision).
   */
  async upsertLbWeights(manager: EntityManager, proposal: NewProposal): Promise<{ proposal: ProposalRecord; made: boolean } | null> {
    const rows = (await manager.query(
      `INSERT INTO "${schema}".proposals AS p (id, kind, stack, environment, component, title, status, reason, target, change, evidence, expected, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, 'proposed', $7, $8, $9, $10, $11, $12)
       ON CONFLICT (stack, environment, (COALESCE(target->>'stackConfig', '')), (target->>'horizonStart')) WHERE kind = 'lb-weights'
       DO UPDATE SET title = EXCLUDED.title, reason = EXCLUDED.reason, target = EXCLUDED.target, change = EXCLUDED.change, evidence = EXCLUDED.evidence, expected = EXCLUDED.expected, updated_at = now()
         WHERE p.status = 'proposed'
       RETURNING ${COLUMNS}, (xmax = 0) AS made`,
      [randomUUID(), proposal.kind, proposal.stack, proposal.environment, proposal.component, proposal.title, proposal.reason, proposal.target, proposal.change, proposal.evidence, proposal.expected, proposal.createdBy],
    )) as (ProposalRow & { made: boolean })[];
    const row = rows[0];
    if (!row) return null;
    const record = toRecord(row);
    if (row.made) await this.addTransition(manager, record.id, null, 'proposed', proposal.createdBy, proposal.reason);
    return { proposal: record, made: row.made };
  }

  /** The open app-version proposal of a running group, locked until the transaction ends, or null. */
  /** The index each open (proposed, staged, validated) index proposal of a component would create. */
  async openIndexChanges(manager: EntityManager, where: { stack: string; environment: string; component: string }): Promise<{ id: string; table: string; columns: string[] }[]> {
    const rows = (await manager.query(
      `SELECT id::text AS id, change->>'table' AS "table", change->'columns' AS columns FROM "${schema}".proposals
        WHERE stack = $1 AND environment = $2 AND component = $3 AND kind = 'index' AND status IN ('proposed', 'staged', 'validated')`,
      [where.stack, where.environment, where.component],
    )) as { id: string; table: string; columns: string[] }[];
    return rows;
  }

  async findOpenAppVersion(manager: EntityManager, stack: string, environment: string, runningGroup: string): Promise<ProposalRecord | null> {
    const rows = (await manager.query(
      `SELECT ${COLUMNS} FROM "${schema}".proposals
        WHERE stack = $1 AND environment = $2 AND target->>'runningGroup' = $3 AND kind = 'app-version' AND status IN ('proposed', 'staged', 'validated') FOR UPDATE`,
      [stack, environment, runningGroup],
    )) as ProposalRow[];
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Replaces the evidence and expected effect, status and lifecycle unchanged. */
  async updateEvidence(manager: EntityManager, id: string, evidence: Json, expected: Json): Promise<void> {
    await manager.query(`UPDATE "${schema}".proposals SET evidence = $2, expected = $3, updated_at = now() WHERE id = $1`, [id, evidence, expected]);
  }

  /** The proposal, locked against another move until the transaction ends (`lock`), or null. */
  /** Replaces what staging measured without a move (a mirrored trial that could not decide). */
  async updateStaging(manager: EntityManager, id: string, staging: Json): Promise<void> {
    await manager.query(`UPDATE "${schema}".proposals SET staging = $2, updated_at = now() WHERE id = $1`, [id, staging]);
  }

  async find(manager: EntityManager, id: string, lock = false): Promise<ProposalRecord | null> {
    const rows = (await manager.query(`SELECT ${COLUMNS} FROM "${schema}".proposals WHERE id = $1${lock ? ' FOR UPDATE' : ''}`, [id])) as ProposalRow[];
    return rows[0] ? toRecord(rows[0]) : null;
  }

  /** Newest first; `after` is the previous page's cursor (the `seq` of its last item). */
  async page(manager: EntityManager, filter: ProposalFilter, limit: number, after: string | undefined): Promise<{ items: ProposalRecord[]; nextCursor: string | null }> {
    const conditions: string[] = [];
    const parameters: unknown[] = [];
    const add = (column: string, value: unknown, operator = '=') => {
      parameters.push(value);
      conditions.push(`${column} ${operator} $${parameters.length}`);
    };
    for (const column of ['stack', 'environment', 'kind', 'status'] as const) {
      if (filter[column] !== undefined) add(column, filter[column]);
    }
    if (after !== undefined) add('seq', after, '<');
    parameters.push(limit + 1);
    const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
    // `proposals.seq`, not the text alias `seq`: numeric order, as the cursor compares it.
    const rows = (await manager.query(`SELECT ${COLUMNS} FROM "${schema}".proposals ${where} ORDER BY proposals.seq DESC LIMIT $${parameters.length}`, parameters)) as ProposalRow[];
    const items = rows.slice(0, limit).map(toRecord);
    return { items, nextCursor: rows.length > limit ? (items[items.length - 1]?.seq ?? null) : null };
  }

  /** Moves the proposal (and records the move); each of `figures` given replaces what the proposal held. */
  async move(manager: EntityManager, proposal: ProposalRecord, to: ProposalStatus, actor: string, reason: string, figures: ProposalFigures = {}): Promise<ProposalRecord> {
    const rows = (await manager.query(
      `UPDATE "${schema}".proposals SET status = $2, reason = $3, staging = COALESCE($4, staging), promotion = COALESCE($5, promotion), observed = COALESCE($6, observed), updated_at = now()
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [proposal.id, to, reason, figures.staging ?? null, figures.promotion ?? null, figures.observed ?? null],
    )) as [ProposalRow[], number];
    await this.addTransition(manager, proposal.id, proposal.status, to, actor, reason);
    return toRecord((rows[0] as ProposalRow[])[0] as ProposalRow);
  }

  /**
   * Takes the promotion lease of a validated proposal (none held, or held past `until` of a crashed
   * attempt) and keeps `promotion` on it; null when it is not validated or another attempt holds it.
   */
  async claimPromotion(manager: EntityManager, id: string, promotion: Json): Promise<ProposalRecord | null> {
    const rows = (await manager.query(
      `UPDATE "${schema}".proposals SET promotion = $2, updated_at = now()
       WHERE id = $1 AND status = 'validated' AND (promotion->>'leaseUntil' IS NULL OR (promotion->>'leaseUntil')::timestamptz < now()) RETURNING ${COLUMNS}`,
      [id, promotion],
    )) as [ProposalRow[], number];
    const row = rows[0][0];
    return row ? toRecord(row) : null;
  }

  /** Replaces what the proposal keeps of its promotion (the last attempt's progress or error), its status unchanged. */
  async savePromotion(manager: EntityManager, id: string, promotion: Json): Promise<void> {
    await manager.query(`UPDATE "${schema}".proposals SET promotion = $2, updated_at = now() WHERE id = $1`, [id, promotion]);
  }

  /**
   * The promoted proposal whose observation window ended longest ago and is not observed yet, with
   * when it was promoted; locked (another replica's pass skips it) until the transaction ends.
   */
  async lockDueForObservation(manager: EntityManager, windowMs: number): Promise<{ proposal: ProposalRecord; promotedAt: Date } | null> {
    const rows = (await manager.query(
      `SELECT ${COLUMNS.split(', ').map((column) => `p.${column}`).join(', ')}, t.at AS promoted_at
         FROM "${schema}".proposals p
         JOIN LATERAL (SELECT at FROM "${schema}".proposal_transitions WHERE proposal_id = p.id AND to_status = 'promoted' ORDER BY id DESC LIMIT 1) t ON true
        WHERE p.status = 'promoted' AND NOT (COALESCE(p.observed, '{}'::jsonb) ? 'window') AND t.at <= now() - make_interval(secs => $1::double precision / 1000)
        ORDER BY t.at LIMIT 1 FOR UPDATE OF p SKIP LOCKED`,
      [windowMs],
    )) as (ProposalRow & { promoted_at: Date })[];
    const row = rows[0];
    return row ? { proposal: toRecord(row), promotedAt: row.promoted_at } : null;
  }

  /** Replaces what production showed (`observed`), status unchanged. */
  async saveObserved(manager: EntityManager, id: string, observed: Json): Promise<void> {
    await manager.query(`UPDATE "${schema}".proposals SET observed = $2, updated_at = now() WHERE id = $1`, [id, observed]);
  }

  async transitions(manager: EntityManager, id: string): Promise<ProposalTransitionRecord[]> {
    const rows = (await manager.query(`SELECT from_status, to_status, actor, reason, at FROM "${schema}".proposal_transitions WHERE proposal_id = $1 ORDER BY id`, [id])) as {
      from_status: ProposalStatus | null;
      to_status: ProposalStatus;
      actor: string;
      reason: string;
      at: Date;
    }[];
    return rows.map((row) => ({ from: row.from_status, to: row.to_status, actor: row.actor, reason: row.reason, at: row.at }));
  }

  /** The proposal and its first transition; null when `onConflict` skipped the row. */
  private async insertRow(manager: EntityManager, proposal: NewProposal, onConflict: string): Promise<ProposalRecord | null> {
    const rows = (await manager.query(
      `INSERT INTO "${schema}".proposals (id, kind, stack, environment, component, title, status, reason, target, change, evidence, expected, created_by)
       VALUES ($1, $2, $3, $4, $5, $6, 'proposed', $7, $8, $9, $10, $11, $12) ${onConflict} RETURNING ${COLUMNS}`,
      [randomUUID(), proposal.kind, proposal.stack, proposal.environment, proposal.component, proposal.title, proposal.reason, proposal.target, proposal.change, proposal.evidence, proposal.expected, proposal.createdBy],
    )) as ProposalRow[];
    if (!rows[0]) return null;
    const created = toRecord(rows[0]);
    await this.addTransition(manager, created.id, null, 'proposed', proposal.createdBy, proposal.reason);
    return created;
  }

  private async addTransition(manager: EntityManager, id: string, from: ProposalStatus | null, to: ProposalStatus, actor: string, reason: string): Promise<void> {
    await manager.query(`INSERT INTO "${schema}".proposal_transitions (proposal_id, from_status, to_status, actor, reason) VALUES ($1, $2, $3, $4, $5)`, [id, from, to, actor, reason]);
  }
}
