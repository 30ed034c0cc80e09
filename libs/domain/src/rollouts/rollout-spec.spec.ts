import { DEFAULT_MIN_SAMPLES, DEFAULT_THRESHOLD_RULES, parseRolloutSpec, rolloutSpecViolations } from './rollout-spec';

const manifestSpec = {
  environment: 'production',
  versionGroup: 'checkout-2026.11.3',
  steps: [{ setWeight: 5 }, { analysis: { window: '30s', judge: 'default', minSamples: 200 } }, { setWeight: 25 }, { pause: { duration: '2m' } }, { pause: {} }, { setWeight: 100 }],
  rollbackTriggers: [
    { when: 'judge == Fail' },
    { when: 'error_rate(canary) > 2 * error_rate(stable) and error_rate(canary) > 0.01', for: '5s' },
    { when: 'anomaly(severity >= high, scope = canary)' },
  ],
};

describe(parseRolloutSpec.name, () => {
  it('parses the example manifest: the statistical default judge with no threshold rules, durations in milliseconds', () => {
    const sut = parseRolloutSpec(manifestSpec);
    expect(sut).toEqual({
      environment: 'production',
      versionGroup: 'checkout-2026.11.3',
      steps: [
        { kind: 'setWeight', weight: 5 },
        { kind: 'analysis', windowMs: 30_000, judge: 'default', minSamples: 200, rules: [] },
        { kind: 'setWeight', weight: 25 },
        { kind: 'pause', durationMs: 120_000 },
        { kind: 'pause' },
        { kind: 'setWeight', weight: 100 },
      ],
      rollbackTriggers: [
        { kind: 'judge', when: 'judge == Fail' },
        {
          kind: 'condition',
          when: 'error_rate(canary) > 2 * error_rate(stable) and error_rate(canary) > 0.01',
          forMs: 5_000,
          minRequests: 10,
          condition: {
            comparisons: [
              { left: { factor: 1, metric: 'error_rate', side: 'canary' }, operator: '>', right: { factor: 2, metric: 'error_rate', side: 'stable' } },
              { left: { factor: 1, metric: 'error_rate', side: 'canary' }, operator: '>', right: { factor: 0.01 } },
            ],
          },
        },
        { kind: 'anomaly', when: 'anomaly(severity >= high, scope = canary)', minSeverity: 'high' },
      ],
    });
  });

  it('refuses rollback triggers it could not honour, naming each field', () => {
    const violations = rolloutSpecViolations({
      ...manifestSpec,
      rollbackTriggers: [{ when: 'cpu(canary) > 0.9' }, { when: 'judge == Fail', for: '5s' }, { when: 'error_rate(canary) > 0.1', for: 'soon', minRequests: 0 }, { when: 'anomaly(severity >= high, scope = stable)' }, 'x'],
    });
    expect(violations).toEqual([
      { field: 'rollbackTriggers[0].when', message: "names metric 'cpu'; it must be one of error_rate, latency_mean_ms, latency_p99_ms" },
      { field: 'rollbackTriggers[1].for', message: 'applies only to a KPI condition, not to "judge == Fail"' },
      { field: 'rollbackTriggers[2].for', message: "must be a duration from 0s to 1h such as 5s, got the string 'soon'" },
      { field: 'rollbackTriggers[2].minRequests', message: 'must be an integer from 1 to 10000000, got number 0' },
      { field: 'rollbackTriggers[3].when', message: "names scope 'stable'; only scope = canary is supported (an anomaly of the stable config is not the canary's fault)" },
      expect.objectContaining({ field: 'rollbackTriggers[4]' }),
    ]);
  });

  it('uses the default minimum of samples when an analysis names none', () => {
    const sut = parseRolloutSpec({ ...manifestSpec, steps: [{ analysis: { window: '1m' } }] });
    expect(sut.steps[0]).toMatchObject({ kind: 'analysis', windowMs: 60_000, minSamples: DEFAULT_MIN_SAMPLES, judge: 'default' });
  });

  it('fills the default threshold rules for the thresholds judge, and keeps explicit rules for either judge', () => {
    const rules = [{ metric: 'latencyP99Ms', max: 250 }];
    const sut = parseRolloutSpec({ ...manifestSpec, steps: [{ analysis: { window: '1m', judge: 'thresholds' } }, { analysis: { window: '1m', rules } }] });
    expect(sut.steps).toEqual([
      expect.objectContaining({ judge: 'thresholds', rules: [...DEFAULT_THRESHOLD_RULES] }),
      expect.objectContaining({ judge: 'default', rules }),
    ]);
  });

  it('throws an invalid-input error listing every violation', () => {
    expect(() => parseRolloutSpec({ environment: '', steps: [] })).toThrow('the rollout spec has 3 violation(s)');
  });
});

describe(rolloutSpecViolations.name, () => {
  const sut = rolloutSpecViolations;

  it.each([
    [{ ...manifestSpec, steps: [{ setWeight: 101 }] }, 'steps[0].setWeight'],
    [{ ...manifestSpec, steps: [{ setWeight: 5, pause: {} }] }, 'steps[0]'],
    [{ ...manifestSpec, steps: [{ pause: { duration: 'soon' } }] }, 'steps[0].pause.duration'],
    [{ ...manifestSpec, steps: [{ pause: { duration: '2m', until: 'x' } }] }, 'steps[0].pause.until'],
    [{ ...manifestSpec, steps: [{ analysis: { judge: 'default' } }] }, 'steps[0].analysis.window'],
    [{ ...manifestSpec, steps: [{ analysis: { window: '1m', minSamples: 0 } }] }, 'steps[0].analysis.minSamples'],
    [{ ...manifestSpec, steps: [{ analysis: { window: '1m', judge: 'kayenta' } }] }, 'steps[0].analysis.judge'],
    [{ ...manifestSpec, steps: [{ analysis: { window: '1m', rules: [{ metric: 'cpu', max: 1 }] } }] }, 'steps[0].analysis.rules[0].metric'],
    [{ ...manifestSpec, steps: [{ analysis: { window: '1m', rules: [{ metric: 'errorRate' }] } }] }, 'steps[0].analysis.rules[0]'],
    [{ ...manifestSpec, steps: [{ analysis: { window: '1m', rules: [{ metric: 'errorRate', max: -1 }] } }] }, 'steps[0].analysis.rules[0].max'],
    [{ ...manifestSpec, versionGroup: 3 }, 'versionGroup'],
    [{ ...manifestSpec, canary: true }, 'canary'],
    [{ ...manifestSpec, steps: 'all' }, 'steps'],
  ])('names the field of %j', (spec, field) => {
    expect(sut(spec).map((violation) => violation.field)).toEqual([field]);
  });

  it('accepts the example manifest', () => {
    expect(sut(manifestSpec)).toEqual([]);
  });

  it('refuses what is not an object', () => {
    expect(sut(null)).toEqual([{ field: '', message: 'must be an object, got null' }]);
  });
});
