import { TriggerComparison, TriggerCondition, TriggerFigures, TriggerSide, TriggerTerm } from '../rollouts/rollback-triggers';
import { SignalFigures } from './gateway-signals';

/**
 * Whether a KPI condition holds with 99.997 % confidence (z = 4): in each comparison the term that must be
 * the larger is read at its lower confidence bound, the other as measured. A canary failing every
 * request clears that in a second; an A/A canary whose 60 requests happen to hold one error (1.7 %
 * against a stable side's 0.7 %) does not. A term without figures makes its comparison false: a
 * trigger acts on evidence, never on its absence.
 */
export function conditionHoldsConfidently(condition: TriggerCondition, sides: Readonly<Record<TriggerSide, SignalFigures>>): boolean {
  return condition.comparisons.every((comparison) => {
    const larger = comparison.operator === '>' || comparison.operator === '>=' ? 'left' : 'right';
    const left = termValue(comparison.left, sides, larger === 'left');
    const right = termValue(comparison.right, sides, larger === 'right');
    if (left === null || right === null) return false;
    return compare(left, comparison.operator, right);
  });
}

function compare(left: number, operator: TriggerComparison['operator'], right: number): boolean {
  switch (operator) {
    case '>':
      return left > right;
    case '>=':
      return left >= right;
    case '<':
      return left < right;
    case '<=':
      return left <= right;
  }
}

function termValue(term: TriggerTerm, sides: Readonly<Record<TriggerSide, SignalFigures>>, atLowerBound: boolean): number | null {
  if (term.metric === undefined || term.side === undefined) return term.factor;
  const figures: TriggerFigures = atLowerBound ? sides[term.side].lower : sides[term.side].point;
  const value = term.metric === 'error_rate' ? figures.errorRate : term.metric === 'latency_mean_ms' ? figures.latencyMeanMs : figures.latencyP99Ms;
  return value === null ? null : term.factor * value;
}
