import type { TrimmedPlan } from './plan-summary';
import { DEFAULT_VALIDATION_RULE, judgeMeasurements, type MeasuredStatement, reduction } from './validation-rule';

const plan: TrimmedPlan = { planningTimeMs: 0.1, executionTimeMs: 1, plan: { nodeType: 'Seq Scan', startupCost: 0, totalCost: 100, planRows: 1 } };

function statement(sql: string, beforeMs: number, afterMs: number, costBefore: number, costAfter: number, served = true, exposed = true): MeasuredStatement {
  return {
    sql,
    before: { timesMs: [beforeMs], medianMs: beforeMs, cost: costBefore, plan },
    after: { timesMs: [afterMs], medianMs: afterMs, cost: costAfter, plan },
    served,
    exposed,
    timeReduction: reduction(beforeMs, afterMs),
    costReduction: reduction(costBefore, costAfter),
  };
}

describe(judgeMeasurements.name, () => {
  it('validates when every served statement drops ≥ 50 % in time and cost and none gets slower, naming failed statements', () => {
    const verdict = judgeMeasurements([statement('SELECT 1', 10, 1, 1000, 10), statement('SELECT 2', 5, 5.1, 50, 50, false), { sql: 'SELECT $1', served: false, error: 'there is no parameter $1' }]);
    expect(verdict).toEqual({
      validated: true,
      reason: '1 of 2 statements use the candidate and drop ≥ 50 % in time (90 %) and ≥ 50 % in planner cost; none gets more than 20 % slower; not judged (failed on the copy): statement 3 (SELECT $1)',
    });
  });

  it('refuses a candidate the planner never uses', () => {
    expect(judgeMeasurements([statement('SELECT 1', 10, 10, 100, 100, false)])).toEqual({ validated: false, reason: 'the planner uses the candidate for none of the 1 statements measured' });
  });

  it('refuses when a served statement does not drop enough in time, or in cost', () => {
    expect(judgeMeasurements([statement('SELECT 1', 10, 6, 1000, 10)]).reason).toBe('statement 1 (SELECT 1) drops 40 % in time (10.0 ms → 6.00 ms) and 99 % in planner cost, below the 50 % / 50 % required');
    expect(judgeMeasurements([statement('SELECT 1', 10, 1, 1000, 600)]).validated).toBe(false);
    expect(judgeMeasurements([statement('SELECT 1', 10, 6, 1000, 10)], { ...DEFAULT_VALIDATION_RULE, minTimeReduction: 0.3 }).validated).toBe(true);
  });

  it('refuses when another statement gets slower beyond the allowance, but not for timer noise under the floor', () => {
    const slower = judgeMeasurements([statement('SELECT 1', 10, 1, 1000, 10), statement(`UPDATE t SET a = 1 WHERE b = ${'x'.repeat(80)}`, 2, 3, 10, 10, false)]);
    expect(slower).toEqual({ validated: false, reason: `statement 2 (UPDATE t SET a = 1 WHERE b = ${'x'.repeat(28)}…) gets 50 % slower (2.00 ms → 3.00 ms), above the 20 % allowed` });
    expect(judgeMeasurements([statement('SELECT 1', 10, 1, 1000, 10), statement('SELECT 2', 0.02, 0.05, 10, 10, false)]).validated).toBe(true);
    // A read whose plan did not change cannot have been slowed by the index: its time is noise.
    expect(judgeMeasurements([statement('SELECT 1', 10, 1, 1000, 10), statement('SELECT 2', 2, 3, 10, 10, false, false)]).validated).toBe(true);
  });

  it('computes reductions as 1 − after ÷ before, 0 when there was nothing to reduce', () => {
    expect(reduction(10, 2.5)).toBe(0.75);
    expect(reduction(0, 1)).toBe(0);
  });
});
