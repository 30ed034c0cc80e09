import { parseTriggerWhen, rollbackTriggersViolations, severityReaches } from './rollback-triggers';

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

  it('orders severities', () => {
    expect(severityReaches('critical', 'high')).toBe(true);
    expect(severityReaches('high', 'high')).toBe(true);
    expect(severityReaches('medium', 'high')).toBe(false);
  });

  it('refuses a list that is not one', () => {
    expect(rollbackTriggersViolations({}, 'rollbackTriggers')).toEqual([{ field: 'rollbackTriggers', message: 'must be a list of at most 20 triggers, got an object' }]);
  });
});
