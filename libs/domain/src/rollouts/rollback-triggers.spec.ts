import { TriggerCondition, TriggerFigures, conditionHolds, parseTriggerWhen, rollbackTriggersViolations, severityReaches } from './rollback-triggers';

const figures = (canary: Partial<TriggerFigures>, stable: Partial<TriggerFigures> = {}): Record<'canary' | 'stable', TriggerFigures> => ({
  canary: { requests: 100, errorRate: 0, latencyMeanMs: 1, latencyP99Ms: 2, ...canary },
  stable: { requests: 100, errorRate: 0, latencyMeanMs: 1, latencyP99Ms: 2, ...stable },
});

function condition(when: string): TriggerCondition {
  const parsed = parseTriggerWhen(when);
  if (typeof parsed === 'string' || parsed.form !== 'condition') {
    throw new Error(`not a condition: ${JSON.stringify(parsed)}`);
  }
  return parsed.condition;
}

describe('rollback triggers', () => {
  describe(parseTriggerWhen.name, () => {
    it.each(['judge == Fail', 'JUDGE==fail', '  judge ==  Fail '])('reads %p as the judge form', (when) => {
      expect(parseTriggerWhen(when)).toEqual({ form: 'judge' });
    });

    it.each([
      ['anomaly(severity >= high, scope = canary)', 'high'],
      ['anomaly( severity>=critical ,scope=canary )', 'critical'],
    ])('reads %p as the anomaly form', (when, minSeverity) => {
      expect(parseTriggerWhen(when)).toEqual({ form: 'anomaly', minSeverity });
    });

    it.each([
      ['error_rate(canary) >= 0.05', [{ left: { factor: 1, metric: 'error_rate', side: 'canary' }, operator: '>=', right: { factor: 0.05 } }]],
      ['latency_p99_ms(canary) > 1.5 * latency_p99_ms(stable)', [{ left: { factor: 1, metric: 'latency_p99_ms', side: 'canary' }, operator: '>', right: { factor: 1.5, metric: 'latency_p99_ms', side: 'stable' } }]],
      ['250 < latency_mean_ms(canary)', [{ left: { factor: 250 }, operator: '<', right: { factor: 1, metric: 'latency_mean_ms', side: 'canary' } }]],
      ['error_rate(stable) <= 0.5 AND error_rate(canary) > 0.2', [
        { left: { factor: 1, metric: 'error_rate', side: 'stable' }, operator: '<=', right: { factor: 0.5 } },
        { left: { factor: 1, metric: 'error_rate', side: 'canary' }, operator: '>', right: { factor: 0.2 } },
      ]],
    ])('reads %p as a condition', (when, comparisons) => {
      expect(parseTriggerWhen(when)).toEqual({ form: 'condition', condition: { comparisons } });
    });

    it.each([
      ['error_rate(canary)', 'is not a comparison'],
      ['1 > 0', 'compares two numbers'],
      ['error_rate(prod) > 1', "names 'prod'"],
      ['2 * 3 > error_rate(canary)', 'is not a number, a metric or number * metric'],
      ['anomaly(severity >= huge, scope = canary)', "names severity 'huge'"],
      ['judge == Pass', 'is not a comparison'],
    ])('refuses %p saying why', (when, why) => {
      expect(parseTriggerWhen(when)).toEqual(expect.stringContaining(why));
    });
  });

  describe(conditionHolds.name, () => {
    const ratio = condition('error_rate(canary) > 2 * error_rate(stable) and error_rate(canary) > 0.01');

    it('holds when every comparison holds', () => {
      expect(conditionHolds(ratio, figures({ errorRate: 0.3 }, { errorRate: 0.01 }))).toBe(true);
    });

    it('does not hold when one comparison fails', () => {
      expect(conditionHolds(ratio, figures({ errorRate: 0.005 }, { errorRate: 0 }))).toBe(false);
      expect(conditionHolds(ratio, figures({ errorRate: 0.3 }, { errorRate: 0.2 }))).toBe(false);
    });

    it('never holds on a figure that was not measured', () => {
      expect(conditionHolds(ratio, figures({ errorRate: null }))).toBe(false);
      expect(conditionHolds(condition('latency_p99_ms(canary) > 100'), figures({ latencyP99Ms: null }))).toBe(false);
    });

    it.each([
      ['latency_mean_ms(canary) >= 51', true],
      ['latency_mean_ms(canary) > 51', false],
      ['latency_mean_ms(canary) <= 51', true],
      ['latency_mean_ms(canary) < 51', false],
    ])('compares %p exactly', (when, holds) => {
      expect(conditionHolds(condition(when), figures({ latencyMeanMs: 51 }))).toBe(holds);
    });
  });

  it('orders severities', () => {
    expect(severityReaches('critical', 'high')).toBe(true);
    expect(severityReaches('high', 'high')).toBe(true);
    expect(severityReaches('medium', 'high')).toBe(false);
  });

  it('refuses a list that is not one', () => {
    expect(rollbackTriggersViolations({}, 'rollbackTriggers')).toEqual([{ field: 'rollbackTriggers', message: 'must be a list of at most 20 triggers, got an object' }]);
  });
});
