import { DomainViolation } from '../../errors/domain-error';
import { ComponentVersion } from '../component-version';
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
  const down = isPlainObject(version.spec) ? version.spec['down'] : undefined;
  if (isNonBlankString(down)) {
    return [];
  }
  return version.rollback.flatMap((action, index) =>
    'sql' in action && 'from' in action.sql
      ? [{ field: `rollback[${index}].sql.from`, message: 'runs the down migration, but spec.down is not given' }]
      : [],
  );
}
