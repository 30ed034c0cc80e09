import { inTriggerScope, parseRollbackTrigger, parseTriggerWatch, rollbackTriggerViolations } from './trigger-spec';

describe('rollback trigger specs', () => {
  const errorRate = 'error_rate(canary) > 2 * error_rate(stable) and error_rate(canary) > 0.01';

  it('parses each condition form', () => {
    expect(parseTriggerWatch(errorRate)).toMatchObject({ kind: 'kpi', condition: { comparisons: [{ operator: '>' }, { operator: '>' }] } });
    expect(parseTriggerWatch('anomaly(severity >= high, scope = group)')).toEqual({ kind: 'anomaly', minSeverity: 'high', of: 'group' });
    expect(parseTriggerWatch('anomaly(severity >= critical, scope = canary)')).toEqual({ kind: 'anomaly', minSeverity: 'critical', of: 'canary' });
    expect(parseTriggerWatch('judge == Fail')).toEqual({ kind: 'judge' });
    expect(parseTriggerWatch('health == failing')).toEqual({ kind: 'health' });
    expect(parseTriggerWatch(' gateway == NACK ')).toEqual({ kind: 'nack' });
  });

  it('names what is wrong in a condition', () => {
    expect(parseTriggerWatch('anomaly(severity >= huge, scope = canary)')).toMatch(/severity 'huge'/);
    expect(parseTriggerWatch('anomaly(severity >= high, scope = stable)')).toMatch(/canary .* or group/);
    expect(parseTriggerWatch('error_rate(canary) > 2 * cpu(stable)')).toMatch(/metric 'cpu'/);
    expect(parseTriggerWatch('the canary looks bad')).toMatch(/health == failing/);
  });

  it('applies defaults and keeps only the scope keys given', () => {
    expect(parseRollbackTrigger({ when: errorRate, action: 'rollback', scope: { versionGroup: 'shop-2.4.0' } })).toEqual({
      when: errorRate,
      watch: expect.objectContaining({ kind: 'kpi' }),
      windowMs: 5_000,
      forMs: 0,
      minRequests: 10,
      scope: { versionGroup: 'shop-2.4.0' },
      action: 'rollback',
      coolDownMs: 600_000,
      dryRun: false,
    });
    expect(parseRollbackTrigger({ when: errorRate, action: 'abort', window: '3s', for: '2s', coolDown: '1m', minRequests: 20, dryRun: true })).toMatchObject({ windowMs: 3_000, forMs: 2_000, coolDownMs: 60_000, minRequests: 20, dryRun: true, scope: {} });
  });

  it('accepts a valid body', () => {
    expect(rollbackTriggerViolations({ when: errorRate, action: 'abort', window: '3s', for: '0s', minRequests: 20, scope: { rollout: 'shop-canary', component: 'shop-api' }, coolDown: '10m', dryRun: false })).toEqual([]);
    expect(rollbackTriggerViolations({ when: 'health == failing', action: 'rollback' })).toEqual([]);
  });

  it('refuses every bad field, each named', () => {
    const fields = (body: unknown) => rollbackTriggerViolations(body).map((violation) => violation.field);
    expect(fields('x')).toEqual(['']);
    expect(fields({ when: errorRate })).toEqual(['action']);
    expect(fields({ when: errorRate, action: 'delete' })).toEqual(['action']);
    expect(fields({ when: '', action: 'abort' })).toEqual(['when']);
    expect(fields({ when: 'cpu > 1', action: 'abort' })).toEqual(['when']);
    expect(fields({ when: errorRate, action: 'abort', window: '0s', for: 'soon', coolDown: '2d', minRequests: 0, dryRun: 'yes' })).toEqual(['window', 'for', 'coolDown', 'minRequests', 'dryRun']);
    expect(fields({ when: 'judge == Fail', action: 'rollback', window: '5s', minRequests: 5 })).toEqual(['window', 'minRequests']);
    expect(fields({ when: errorRate, action: 'abort', scope: { versionGroup: '', team: 'x' } })).toEqual(['scope.team', 'scope.versionGroup']);
    expect(fields({ when: errorRate, action: 'abort', scope: 'all' })).toEqual(['scope']);
    expect(fields({ when: errorRate, action: 'abort', colour: 'red' })).toEqual(['colour']);
  });

  it('matches a subject when every scope key given matches', () => {
    expect(inTriggerScope({}, { rollout: 'r', versionGroup: 'g' })).toBe(true);
    expect(inTriggerScope({ versionGroup: 'g' }, { rollout: 'r', versionGroup: 'g' })).toBe(true);
    expect(inTriggerScope({ versionGroup: 'g', rollout: 'other' }, { rollout: 'r', versionGroup: 'g' })).toBe(false);
    expect(inTriggerScope({ component: 'api' }, { versionGroup: 'g', component: null })).toBe(false);
  });
});
