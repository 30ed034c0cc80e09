/**
 * EXPLAIN (ANALYZE, BUFFERS, FORMAT JSON) output trimmed to what a reader of a measurement needs:
 * per node its type, relation and index, costs, rows, actual time and shared buffers. Stored on a
 * proposal, so it stays small (PostgreSQL's full JSON carries ~40 fields per node).
 */
export interface PlanNode {
  readonly nodeType: string;
  readonly relation?: string;
  readonly index?: string;
  readonly startupCost: number;
  readonly totalCost: number;
  readonly planRows: number;
  readonly actualRows?: number;
  readonly actualTotalTimeMs?: number;
  readonly loops?: number;
  readonly sharedHitBlocks?: number;
  readonly sharedReadBlocks?: number;
  readonly children?: readonly PlanNode[];
}

export interface TrimmedPlan {
  readonly planningTimeMs: number;
  readonly executionTimeMs: number;
  readonly plan: PlanNode;
}

type RawNode = Record<string, unknown> & { Plans?: RawNode[] };

function trimNode(node: RawNode): PlanNode {
  const optional = (field: string) => (typeof node[field] === 'number' ? (node[field] as number) : undefined);
  const children = (node.Plans ?? []).map(trimNode);
  const trimmed: Record<string, unknown> = {
    nodeType: String(node['Node Type']),
    relation: typeof node['Relation Name'] === 'string' ? node['Relation Name'] : undefined,
    index: typeof node['Index Name'] === 'string' ? node['Index Name'] : undefined,
    startupCost: Number(node['Startup Cost']),
    totalCost: Number(node['Total Cost']),
    planRows: Number(node['Plan Rows']),
    actualRows: optional('Actual Rows'),
    actualTotalTimeMs: optional('Actual Total Time'),
    loops: optional('Actual Loops'),
    sharedHitBlocks: optional('Shared Hit Blocks'),
    sharedReadBlocks: optional('Shared Read Blocks'),
    children: children.length > 0 ? children : undefined,
  };
  return Object.fromEntries(Object.entries(trimmed).filter(([, value]) => value !== undefined)) as unknown as PlanNode;
}

/** The `QUERY PLAN` value of one EXPLAIN (FORMAT JSON) row: an array holding one object. */
export function trimPlan(queryPlan: unknown): TrimmedPlan {
  const [root] = queryPlan as { Plan: RawNode; 'Planning Time'?: number; 'Execution Time'?: number }[];
  return { planningTimeMs: root['Planning Time'] ?? 0, executionTimeMs: root['Execution Time'] ?? 0, plan: trimNode(root.Plan) };
}

/** Whether any node of the plan reads one of the indexes. */
export function usesAnyIndex(node: PlanNode, indexes: ReadonlySet<string>): boolean {
  return (node.index !== undefined && indexes.has(node.index)) || (node.children ?? []).some((child) => usesAnyIndex(child, indexes));
}

/** The plan's shape: node types and the indexes read, in order (costs and timings left out). */
export function planShape(node: PlanNode): string {
  const children = (node.children ?? []).map(planShape).join(', ');
  return `${node.nodeType}${node.index ? `[${node.index}]` : ''}${children ? `(${children})` : ''}`;
}

/** A write (INSERT, UPDATE, DELETE, MERGE): it pays for maintaining every index, whatever its plan. */
export function isWrite(node: PlanNode): boolean {
  return node.nodeType === 'ModifyTable' || (node.children ?? []).some(isWrite);
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}
