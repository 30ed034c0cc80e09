import { DomainViolation } from '../../errors/domain-error';
import { ComponentVersion } from '../component-version';
import { parseDuration } from '../duration';
import { isNonBlankString, isPlainObject, requireNonBlankString, requireObject, unknownKeyViolations } from '../validation';

export interface DbSchemaSpec {
  /** SQL applied to move the schema to this version. */
  up: string;
  /**
   * SQL that undoes `up`. Optional because some migrations cannot be undone (dropping data); a
   * rollback action `sql: {from: down}` then has nothing to run and is refused.
   */
  down?: string;
}

export function dbSchemaSpecViolations(spec: unknown, field: string): DomainViolation[] {
  const violations: DomainViolation[] = [];
  if (!requireObject(spec, field, violations)) {
    return violations;
  }
  violations.push(...unknownKeyViolations(spec, ['up', 'down'], field));
  requireNonBlankString(spec['up'], `${field}.up`, violations);
  if ('down' in spec) {
    requireNonBlankString(spec['down'], `${field}.down`, violations);
  }
  return violations;
}

/** A rollback that runs the down migration needs one. */
export function dbSchemaVersionViolations(version: ComponentVersion): DomainViolation[] {
  const violations = SCHEMA_TIMEOUT_KEYS.flatMap((key) => {
    const problem = key in version.config ? schemaTimeoutProblem(version.config[key]) : null;
    return problem ? [{ field: `config.${key}`, message: problem }] : [];
  });
  const down = isPlainObject(version.spec) ? version.spec['down'] : undefined;
  if (isNonBlankString(down)) {
    return violations;
  }
  return [
    ...violations,
    ...version.rollback.flatMap((action, index) =>
      'sql' in action && 'from' in action.sql ? [{ field: `rollback[${index}].sql.from`, message: 'runs the down migration, but spec.down is not given' }] : [],
    ),
  ];
}

/** The config keys a migration sets on its session (schemaTimeouts reads them). */
const SCHEMA_TIMEOUT_KEYS = ['lock_timeout', 'statement_timeout'] as const;
const MAX_SCHEMA_TIMEOUT_MS = 24 * 3_600_000;

/**
 * A migration's session timeout must be a real bound: 0 turns PostgreSQL's off (a migration waiting
 * on a lock for ever holds every query behind it), and a value that is no duration would silently
 * fall back to the default.
 */
function schemaTimeoutProblem(value: unknown): string | null {
  const milliseconds = typeof value === 'number' ? value : typeof value === 'string' ? parseDuration(value) : undefined;
  if (milliseconds === undefined || !Number.isInteger(milliseconds)) {
    return `must be a duration such as 5s or 2m (or whole milliseconds), got ${JSON.stringify(value)}`;
  }
  if (milliseconds <= 0) return "must be more than 0: 0 turns PostgreSQL's timeout off";
  return milliseconds > MAX_SCHEMA_TIMEOUT_MS ? 'must be at most 24h' : null;
}
