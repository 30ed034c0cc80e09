import { ComponentVersion, ConfigValue, RollbackAction } from '../components/component-version';
import { DbSchemaSpec } from '../components/specs/db-schema-spec';
import { parseDuration } from '../components/duration';

/**
 * One unit of SQL a db-schema step runs. `transactional: false` for a script holding a statement
 * PostgreSQL refuses inside a transaction block (`CREATE/DROP INDEX CONCURRENTLY`, `VACUUM`, …):
 * its statements then run one by one, in autocommit, and the ledger row follows them.
 */
export interface SchemaScript {
  statements: string[];
  transactional: boolean;
}

export interface SchemaTimeouts {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
}

/** A migration waits this long for a lock by default: behind a long query it fails rather than queueing every other writer behind it. */
export const DEFAULT_SCHEMA_TIMEOUTS: SchemaTimeouts = { lockTimeoutMs: 5_000, statementTimeoutMs: 300_000 };

const OUTSIDE_TRANSACTION = /\b(CONCURRENTLY|VACUUM|ALTER\s+SYSTEM|CREATE\s+DATABASE|DROP\s+DATABASE|ALTER\s+TYPE\s+\S+\s+ADD\s+VALUE)\b/i;

/** `up` forward; backward, the version's `sql` rollback actions in order (`from: down` is its `spec.down`). */
export function schemaScript(version: Pick<ComponentVersion<DbSchemaSpec>, 'spec' | 'rollback'>, direction: 'forward' | 'backward'): SchemaScript {
  const sources = direction === 'forward' ? [version.spec.up] : version.rollback.flatMap((action) => sqlOf(action, version.spec));
  const statements = sources.flatMap(splitSqlStatements);
  return { statements, transactional: !statements.some((statement) => OUTSIDE_TRANSACTION.test(stripComments(statement))) };
}

function sqlOf(action: RollbackAction, spec: DbSchemaSpec): string[] {
  if (!('sql' in action)) return [];
  if ('statement' in action.sql) return [action.sql.statement];
  return spec.down ? [spec.down] : [];
}

/** `lock_timeout` and `statement_timeout` from the version's config (durations such as `5s`), else the defaults. */
export function schemaTimeouts(config: Record<string, ConfigValue>): SchemaTimeouts {
  const read = (key: string, fallback: number): number => {
    const value = config[key];
    if (typeof value === 'number' && Number.isFinite(value) && value >= 0) return value;
    if (typeof value === 'string') {
      const parsed = parseDuration(value);
      if (parsed !== undefined) return parsed;
    }
    return fallback;
  };
  return { lockTimeoutMs: read('lock_timeout', DEFAULT_SCHEMA_TIMEOUTS.lockTimeoutMs), statementTimeoutMs: read('statement_timeout', DEFAULT_SCHEMA_TIMEOUTS.statementTimeoutMs) };
}

/**
 * Splits a script into statements on `;` outside quotes, quoted identifiers, dollar-quoted bodies
 * and comments, so a function body or a string holding `;` stays whole. Empty statements go.
 */
export function splitSqlStatements(script: string): string[] {
  const statements: string[] = [];
  let start = 0;
  let index = 0;
  while (index < script.length) {
    const char = script[index] as string;
    const next = script[index + 1];
    if (char === "'" || char === '"') {
      index = closing(script, index + 1, char);
    } else if (char === '-' && next === '-') {
      const end = script.indexOf('\n', index);
      index = end === -1 ? script.length : end + 1;
    } else if (char === '/' && next === '*') {
      const end = script.indexOf('*/', index + 2);
      index = end === -1 ? script.length : end + 2;
    } else if (char === '$') {
      const tag = /^\$[A-Za-z_]?[A-Za-z0-9_]*\$/.exec(script.slice(index))?.[0];
      if (tag) {
        const end = script.indexOf(tag, index + tag.length);
        index = end === -1 ? script.length : end + tag.length;
      } else {
        index++;
      }
    } else if (char === ';') {
      statements.push(script.slice(start, index));
      start = ++index;
    } else {
      index++;
    }
  }
  statements.push(script.slice(start));
  return statements.map((statement) => statement.trim()).filter((statement) => stripComments(statement).trim().length > 0);
}

/** Past the quote closing one opened before `from`; a doubled quote is an escaped one. */
function closing(script: string, from: number, quote: string): number {
  let index = from;
  while (index < script.length) {
    if (script[index] === quote) {
      if (script[index + 1] === quote) {
        index += 2;
        continue;
      }
      return index + 1;
    }
    index++;
  }
  return script.length;
}

function stripComments(statement: string): string {
  return statement.replace(/--[^\n]*/g, '').replace(/\/\*[\s\S]*?\*\//g, '');
}

/** A row of the ledger a target database keeps in schema `strata`: one per applied version. */
export interface LedgerRow {
  component: string;
  version: string;
  /** Null while the version is applied; set when a backward step took it back. */
  revertedAt: Date | null;
}

export type LedgerDecision = { run: true; revert: string[] } | { run: false; reason: string } | { drift: string };

/**
 * What a db-schema step does given the target's ledger. Forward: run `up` unless the version is
 * already applied (a re-run, e.g. after a crash, is a no-op). Backward: take back, newest first,
 * every version applied after the one to restore (`revert`), or nothing if it is already restored.
 * Drift stops the step: the latest applied version is not the one the version map says is
 * deployed (unless this very step took some back before a crash: `resumed`), the version to
 * restore is not applied, or the ledger holds a version the registry does not know.
 */
export function ledgerDecision(
  rows: readonly LedgerRow[],
  step: { component: string; fromVersion: string | null; toVersion: string | null; direction: 'forward' | 'backward'; resumed?: boolean },
  knownVersions: ReadonlySet<string>,
): LedgerDecision {
  const applied = rows.filter((row) => row.component === step.component && row.revertedAt === null).map((row) => row.version);
  const unknown = applied.find((version) => !knownVersions.has(version));
  if (unknown) {
    return { drift: `the ledger of ${step.component} holds version ${unknown}, which the registry does not know: the database was migrated outside Strata` };
  }
  const latest = applied.at(-1) ?? null;
  if (step.direction === 'forward') {
    if (step.toVersion !== null && applied.includes(step.toVersion)) {
      return { run: false, reason: `${step.component}@${step.toVersion} is already applied (ledger)` };
    }
    if (latest !== step.fromVersion) {
      return { drift: `the ledger of ${step.component} says ${latest ?? 'no version'} is applied, the version map says ${step.fromVersion ?? 'none'}` };
    }
    return { run: true, revert: [] };
  }
  if (latest === step.toVersion) {
    return { run: false, reason: `${step.component} is at ${step.toVersion ?? 'no version'} already (ledger)` };
  }
  if (latest !== step.fromVersion && !step.resumed) {
    return { drift: `the ledger of ${step.component} says ${latest ?? 'no version'} is the latest applied version, the version map says ${step.fromVersion ?? 'none'}` };
  }
  const keep = step.toVersion === null ? 0 : applied.indexOf(step.toVersion) + 1;
  if (keep === 0 && step.toVersion !== null) {
    return { drift: `the ledger of ${step.component} does not hold ${step.toVersion}, the version to restore` };
  }
  return { run: true, revert: applied.slice(keep).reverse() };
}
