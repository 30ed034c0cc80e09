import { parse } from 'libpg-query';
import { DomainError } from '../errors/domain-error';
import { Break } from '../versions/bump';

type AstNode = Record<string, unknown>;

interface RawStatement {
  stmt: AstNode;
  stmt_location?: number;
}

function asNode(value: unknown): AstNode | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as AstNode) : undefined;
}

function asList(value: unknown): AstNode[] {
  return Array.isArray(value) ? value.map(asNode).filter((node): node is AstNode => node !== undefined) : [];
}

/** `{ Kind: {...} }` → ['Kind', {...}] */
function unwrap(node: AstNode | undefined): [string, AstNode] | undefined {
  if (!node) {
    return undefined;
  }
  const [kind] = Object.keys(node);
  const body = kind === undefined ? undefined : asNode(node[kind]);
  return kind !== undefined && body ? [kind, body] : undefined;
}

function relationName(relation: unknown): string {
  const node = asNode(relation);
  const schema = typeof node?.['schemaname'] === 'string' ? `${node['schemaname']}.` : '';
  return `${schema}${typeof node?.['relname'] === 'string' ? node['relname'] : '?'}`;
}

function lineOf(sql: string, offset: number): number {
  return sql.slice(0, offset).split('\n').length;
}

function constraintTypes(columnDef: AstNode): string[] {
  return asList(columnDef['constraints']).flatMap((constraint) => {
    const contype = asNode(constraint['Constraint'])?.['contype'];
    return typeof contype === 'string' ? [contype] : [];
  });
}

interface StatementContext {
  location: string;
  /** Tables this migration creates: nobody reads them yet, so locking them is harmless. */
  createdTables: ReadonlySet<string>;
}

function alterTableFindings(statement: AstNode, context: StatementContext): Break[] {
  const table = relationName(statement['relation']);
  const isNew = context.createdTables.has(table);
  return asList(statement['cmds']).flatMap((command): Break[] => {
    const cmd = asNode(command['AlterTableCmd']);
    if (!cmd) {
      return [];
    }
    const column = typeof cmd['name'] === 'string' ? cmd['name'] : '';
    const at = (kind: string, message: string): Break[] => [{ kind, location: context.location, message }];
    switch (cmd['subtype']) {
      case 'AT_DropColumn':
        return at('drop-column', `drops column ${table}.${column}: its data is lost and readers of it fail`);
      case 'AT_AlterColumnType':
        return isNew ? [] : at('column-type-change', `changes the type of ${table}.${column}: rewrites the table under an exclusive lock and can break readers`);
      case 'AT_SetNotNull':
        return isNew ? [] : at('set-not-null', `sets ${table}.${column} NOT NULL: scans the table under an exclusive lock and fails writers that omit it`);
      case 'AT_DropConstraint':
        return at('drop-constraint', `drops constraint ${column} on ${table}`);
      case 'AT_AddColumn': {
        const definition = asNode(asNode(cmd['def'])?.['ColumnDef']);
        if (!definition || isNew) {
          return [];
        }
        const types = constraintTypes(definition);
        const filled = types.some((type) => type === 'CONSTR_DEFAULT' || type === 'CONSTR_IDENTITY' || type === 'CONSTR_GENERATED');
        return types.includes('CONSTR_NOTNULL') && !filled
          ? at('not-null-without-default', `adds NOT NULL column ${table}.${String(definition['colname'])} without a default: fails on existing rows and on writers that omit it`)
          : [];
      }
      case 'AT_AddConstraint': {
        const constraint = asNode(asNode(cmd['def'])?.['Constraint']);
        const validating = constraint && constraint['skip_validation'] !== true && ['CONSTR_FOREIGN', 'CONSTR_CHECK'].includes(String(constraint['contype']));
        return validating && !isNew
          ? at('validating-constraint', `adds a validated constraint to ${table}: scans it under lock; add it NOT VALID and VALIDATE CONSTRAINT separately`)
          : [];
      }
      default:
        return [];
    }
  });
}

function statementFindings(kind: string, statement: AstNode, context: StatementContext): Break[] {
  const at = (findingKind: string, message: string): Break[] => [{ kind: findingKind, location: context.location, message }];
  switch (kind) {
    case 'DropStmt': {
      const removeType = String(statement['removeType']);
      if (removeType === 'OBJECT_TABLE') {
        return at('drop-table', 'drops a table: its data is lost');
      }
      if (removeType === 'OBJECT_INDEX') {
        return statement['concurrent'] === true ? [] : at('drop-index', 'drops an index without CONCURRENTLY: blocks the table while it runs');
      }
      return at('drop-object', `drops a ${removeType.replace('OBJECT_', '').toLowerCase()}`);
    }
    case 'TruncateStmt':
      return at('truncate', 'truncates a table: its data is lost');
    case 'RenameStmt':
      return at('rename', `renames a ${String(statement['renameType']).replace('OBJECT_', '').toLowerCase()} to ${String(statement['newname'])}: readers of the old name fail`);
    case 'AlterTableStmt':
      return alterTableFindings(statement, context);
    case 'IndexStmt': {
      const table = relationName(statement['relation']);
      return statement['concurrent'] === true || context.createdTables.has(table)
        ? []
        : at('index-without-concurrently', `creates an index on ${table} without CONCURRENTLY: blocks writes to the table while it builds`);
    }
    case 'DeleteStmt':
      return statement['whereClause'] ? [] : at('delete-all-rows', `deletes every row of ${relationName(statement['relation'])}`);
    case 'UpdateStmt':
      return statement['whereClause'] ? [] : at('update-all-rows', `rewrites every row of ${relationName(statement['relation'])} under lock`);
    // Procedural code can build any statement at run time (`EXECUTE 'DROP TABLE ' || …`): what the
    // linter cannot read, it cannot prove safe, so it counts as possibly destructive.
    case 'DoStmt':
      return at('unverifiable-code', 'runs a DO block (procedural code that may build and EXECUTE any statement): it cannot be proven safe, so it counts as possibly destructive');
    case 'CallStmt':
      return at('unverifiable-code', 'calls a procedure: what it runs cannot be proven safe, so it counts as possibly destructive');
    case 'ExecuteStmt':
      return at('unverifiable-code', 'executes a prepared statement: what it runs cannot be proven safe here, so it counts as possibly destructive');
    default:
      return [];
  }
}

/**
 * Finds destructive or locking statements in a db-schema migration by parsing it with
 * PostgreSQL's own parser (libpg-query): a comment or string that mentions DROP is not a DROP.
 * Statements on tables the same migration creates are exempt from the locking rules.
 */
export async function lintSchemaMigration(sql: string, field = 'spec.up'): Promise<Break[]> {
  if (sql.trim() === '') {
    return [];
  }
  let statements: RawStatement[];
  try {
    statements = ((await parse(sql)) as { stmts?: RawStatement[] }).stmts ?? [];
  } catch (error) {
    const cursor = (error as { sqlDetails?: { cursorPosition?: number } }).sqlDetails?.cursorPosition;
    const where = typeof cursor === 'number' ? ` at line ${lineOf(sql, cursor)}` : '';
    throw DomainError.invalid('the migration is not valid PostgreSQL', [{ field, message: `${(error as Error).message}${where}` }]);
  }
  const createdTables = new Set(
    statements.flatMap(({ stmt }) => {
      const unwrapped = unwrap(stmt);
      return unwrapped?.[0] === 'CreateStmt' ? [relationName(unwrapped[1]['relation'])] : [];
    }),
  );
  return statements.flatMap(({ stmt, stmt_location }, index) => {
    const unwrapped = unwrap(stmt);
    if (!unwrapped) {
      return [];
    }
    // A statement's location includes the whitespace after the previous `;`: skip it.
    const start = stmt_location ?? 0;
    const location = `statement ${index + 1} (line ${lineOf(sql, start + Math.max(0, sql.slice(start).search(/\S/)))})`;
    return statementFindings(unwrapped[0], unwrapped[1], { location, createdTables });
  });
}
