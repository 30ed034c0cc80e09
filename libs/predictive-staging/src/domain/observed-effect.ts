/** One statement's time on production before and after a promotion (medians of EXPLAIN ANALYZE runs), or why it was not measured. */
export interface ObservedStatement {
  sql: string;
  beforeMs: number | null;
  afterMs: number | null;
  error?: string;
}

export interface ObservedEffect {
  /** How production was measured. */
  method: string;
  statements: ObservedStatement[];
  /** Over the statements measured both times: 1 − Σ after ÷ Σ before; null when none was. */
  timeReduction: number | null;
  /** What staging measured on its copy, for the comparison. */
  predictedTimeReduction: number | null;
  measuredAt: string;
}

type Measured = { medianMs: number } | Error;

/**
 * The effect production showed, set beside the one staging predicted. A statement that failed
 * either time is listed with its error and left out of the reduction, never counted as zero.
 */
export function observedEffect(queries: readonly string[], before: readonly Measured[], after: readonly Measured[], predicted: number | null, method: string, at: Date): ObservedEffect {
  const statements = queries.map((sql, position): ObservedStatement => {
    const was = before[position];
    const is = after[position];
    const error = [was, is].find((measured): measured is Error => measured instanceof Error);
    return {
      sql,
      beforeMs: was && !(was instanceof Error) ? round(was.medianMs) : null,
      afterMs: is && !(is instanceof Error) ? round(is.medianMs) : null,
      ...(error ? { error: error.message } : {}),
    };
  });
  const both = statements.filter((statement): statement is ObservedStatement & { beforeMs: number; afterMs: number } => statement.beforeMs !== null && statement.afterMs !== null);
  const sumBefore = both.reduce((total, statement) => total + statement.beforeMs, 0);
  const sumAfter = both.reduce((total, statement) => total + statement.afterMs, 0);
  return {
    method,
    statements,
    timeReduction: both.length > 0 && sumBefore > 0 ? round(1 - sumAfter / sumBefore) : null,
    predictedTimeReduction: predicted,
    measuredAt: at.toISOString(),
  };
}

function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}
