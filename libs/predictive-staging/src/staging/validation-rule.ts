import type { ParameterValues } from './bind-parameters';
import type { TrimmedPlan } from './plan-summary';

/** One replay phase of a statement (before or after the candidate): N timed runs after the warm-up. */
export interface PhaseMeasurement {
  /** Execution time of each timed run (EXPLAIN ANALYZE's `Execution Time`), in ms. */
  readonly timesMs: readonly number[];
  readonly medianMs: number;
  /** The planner's total cost of the plan. */
  readonly cost: number;
  /** The plan of the last run. */
  readonly plan: TrimmedPlan;
}

/** A statement replayed before and after the candidate. */
export interface MeasuredStatement {
  readonly sql: string;
  readonly before: PhaseMeasurement;
  readonly after: PhaseMeasurement;
  /** The plan after reads one of the candidate's indexes. */
  readonly served: boolean;
  /**
   * The candidate can have slowed it: its plan changed shape, or it writes (and so maintains the
   * new index). A read whose plan is the same before and after is not judged for slowdowns: any
   * difference in its time is the machine's noise.
   */
  readonly exposed: boolean;
  /** 1 − after ÷ before of the median time, and of the planner cost. */
  readonly timeReduction: number;
  readonly costReduction: number;
  /** A normalised statement (`$n`): what each parameter was bound to and the value sets replayed, before and after alike. */
  readonly parameters?: ParameterValues;
  readonly error?: undefined;
}

/** A statement that could not be measured on the copy (it is left out of the rule, and named). */
export interface FailedStatement {
  readonly sql: string;
  /** Present when only the replay after the candidate failed. */
  readonly before?: PhaseMeasurement;
  readonly served: false;
  readonly parameters?: ParameterValues;
  readonly error: string;
}

export type StatementMeasurement = MeasuredStatement | FailedStatement;

export function isMeasured(statement: StatementMeasurement): statement is MeasuredStatement {
  return statement.error === undefined;
}

export interface ValidationRule {
  /** Each served statement's median time must drop by at least this share. */
  readonly minTimeReduction: number;
  /** Each served statement's planner cost must drop by at least this share. */
  readonly minCostReduction: number;
  /** No statement the candidate can have slowed (its plan changed, or it writes) may get slower than this share… */
  readonly maxSlowdown: number;
  /** …by more than this many ms (below it, a slowdown is timer noise). */
  readonly slowdownFloorMs: number;
}

export const DEFAULT_VALIDATION_RULE: ValidationRule = { minTimeReduction: 0.5, minCostReduction: 0.5, maxSlowdown: 0.2, slowdownFloorMs: 0.2 };

export interface Verdict {
  readonly validated: boolean;
  readonly reason: string;
}

const percent = (share: number) => `${Math.round(share * 100)} %`;
const ms = (value: number) => `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms`;

function label(statement: StatementMeasurement, position: number): string {
  const text = statement.sql.replace(/\s+/g, ' ').trim();
  return `statement ${position + 1} (${text.length > 60 ? `${text.slice(0, 57)}…` : text})`;
}

/**
 * The candidate is validated when the planner uses it for at least one statement, every statement
 * it serves gets both faster and cheaper by the required shares, and no measured statement gets
 * slower beyond the allowance. Statements that failed on the copy are named, not judged.
 */
export function judgeMeasurements(statements: readonly StatementMeasurement[], rule: ValidationRule = DEFAULT_VALIDATION_RULE): Verdict {
  const failed = statements.flatMap((statement, position) => (isMeasured(statement) ? [] : [label(statement, position)]));
  const failedNote = failed.length === 0 ? '' : `; not judged (failed on the copy): ${failed.join(', ')}`;
  const measured = statements.flatMap((statement, position) => (isMeasured(statement) ? [{ statement, position }] : []));
  const served = measured.filter(({ statement }) => statement.served);
  if (served.length === 0) {
    return { validated: false, reason: `the planner uses the candidate for none of the ${measured.length} statements measured${failedNote}` };
  }
  for (const { statement, position } of served) {
    const { timeReduction: time, costReduction: cost, before, after } = statement;
    if (time < rule.minTimeReduction || cost < rule.minCostReduction) {
      return {
        validated: false,
        reason: `${label(statement, position)} drops ${percent(time)} in time (${ms(before.medianMs)} → ${ms(after.medianMs)}) and ${percent(cost)} in planner cost, below the ${percent(rule.minTimeReduction)} / ${percent(rule.minCostReduction)} required${failedNote}`,
      };
    }
  }
  for (const { statement, position } of measured.filter((entry) => entry.statement.exposed)) {
    const before = statement.before.medianMs;
    const after = statement.after.medianMs;
    if (after > before * (1 + rule.maxSlowdown) && after - before > rule.slowdownFloorMs) {
      return { validated: false, reason: `${label(statement, position)} gets ${percent(after / before - 1)} slower (${ms(before)} → ${ms(after)}), above the ${percent(rule.maxSlowdown)} allowed${failedNote}` };
    }
  }
  const times = served.map(({ statement }) => percent(statement.timeReduction)).join(', ');
  return {
    validated: true,
    reason: `${served.length} of ${measured.length} statements use the candidate and drop ≥ ${percent(rule.minTimeReduction)} in time (${times}) and ≥ ${percent(rule.minCostReduction)} in planner cost; none gets more than ${percent(rule.maxSlowdown)} slower${failedNote}`,
  };
}

/** 1 − after ÷ before; 0 when there was nothing to reduce. */
export function reduction(before: number, after: number): number {
  return before > 0 ? 1 - after / before : 0;
}
