import { JudgeConfigError, parseJudgeConfig } from './judge-config';

const minimal = { groups: [{ name: 'latency', weight: 1, metrics: [{ name: 'request-latency', kind: 'continuous' }] }] };

function issuesOf(input: unknown): readonly string[] {
  try {
    parseJudgeConfig(input);
  } catch (error) {
    if (error instanceof JudgeConfigError) return error.issues;
    throw error;
  }
  throw new Error('expected the config to be refused');
}

describe(parseJudgeConfig.name, () => {
  it('fills the defaults: 98 % confidence, pass at 95, marginal at 75, Holm, 50 samples or 200 requests per side', () => {
    const sut = parseJudgeConfig({
      groups: [{ name: 'g', weight: 2, metrics: [{ name: 'latency', kind: 'continuous' }, { name: 'errors', kind: 'proportion' }] }],
    });
    expect(sut).toEqual({
      confidence: 0.98,
      thresholds: { pass: 95, marginal: 75 },
      maximumInsufficientShare: 0.5,
      multipleComparisons: 'holm',
      groups: [
        {
          name: 'g',
          weight: 2,
          metrics: [
            { name: 'latency', kind: 'continuous', direction: 'increase', tolerance: 0.1, absoluteTolerance: 0, critical: false, minimumSamples: 50 },
            { name: 'errors', kind: 'proportion', direction: 'increase', tolerance: 0.1, absoluteTolerance: 0, critical: false, minimumSamples: 200 },
          ],
        },
      ],
    });
  });

  it('keeps every setting given', () => {
    const sut = parseJudgeConfig({
      confidence: 0.95,
      thresholds: { pass: 90, marginal: 60 },
      maximumInsufficientShare: 0.25,
      multipleComparisons: 'none',
      groups: [{ name: 'g', weight: 1, metrics: [{ name: 'rps', kind: 'continuous', direction: 'decrease', tolerance: 0.2, absoluteTolerance: 3, critical: true, minimumSamples: 10 }] }],
    });
    expect(sut).toMatchObject({ confidence: 0.95, thresholds: { pass: 90, marginal: 60 }, maximumInsufficientShare: 0.25, multipleComparisons: 'none' });
    expect(sut.groups[0]!.metrics[0]).toEqual({ name: 'rps', kind: 'continuous', direction: 'decrease', tolerance: 0.2, absoluteTolerance: 3, critical: true, minimumSamples: 10 });
  });

  it.each([
    [{ ...minimal, confidence: 1 }, 'confidence must be in (0, 1), got 1'],
    [{ ...minimal, confidence: '0.9' }, 'confidence must be a finite number'],
    [{ ...minimal, thresholds: { pass: 101 } }, 'thresholds.pass must be in [0, 100], got 101'],
    [{ ...minimal, thresholds: { pass: 70, marginal: 80 } }, 'thresholds.marginal must be ≤ thresholds.pass (80 > 70)'],
    [{ ...minimal, thresholds: 5 }, 'thresholds must be an object'],
    [{ ...minimal, maximumInsufficientShare: 1 }, 'maximumInsufficientShare must be in [0, 1), got 1'],
    [{ ...minimal, multipleComparisons: 'bonferroni' }, 'multipleComparisons must be one of holm, none, got "bonferroni"'],
    [{ groups: [] }, 'groups must be a non-empty array'],
    [{ groups: [minimal.groups[0], 'x'] }, 'groups[1] must be an object'],
    [{ groups: [minimal.groups[0], { name: 'b', weight: 0, metrics: [{ name: 'm', kind: 'proportion' }] }] }, 'groups[1].weight must be > 0, got 0'],
    [{ groups: [{ name: 'a', metrics: minimal.groups[0]!.metrics }] }, 'groups[0].weight is required'],
    [{ groups: [{ name: '', weight: 1, metrics: minimal.groups[0]!.metrics }] }, 'groups[0].name must be a non-empty string'],
    [{ groups: [{ name: 'a', weight: 1, metrics: [] }] }, 'groups[0].metrics must be a non-empty array'],
    [{ groups: [minimal.groups[0], { ...minimal.groups[0], metrics: [{ name: 'other', kind: 'continuous' }] }] }, 'groups[1].name "latency" is not unique'],
    [{ groups: [{ name: 'a', weight: 1, metrics: [{ name: 'm', kind: 'gauge' }] }] }, 'groups[0].metrics[0].kind must be one of continuous, proportion, got "gauge"'],
    [{ groups: [{ name: 'a', weight: 1, metrics: [{ name: 'm' }] }] }, 'groups[0].metrics[0].kind is required'],
    [{ groups: [{ name: 'a', weight: 1, metrics: [{ name: 'm', kind: 'continuous', direction: 'up' }] }] }, 'groups[0].metrics[0].direction must be one of increase, decrease, either, got "up"'],
    [{ groups: [{ name: 'a', weight: 1, metrics: [{ name: 'm', kind: 'continuous', tolerance: -0.1 }] }] }, 'groups[0].metrics[0].tolerance must be ≥ 0, got -0.1'],
    [{ groups: [{ name: 'a', weight: 1, metrics: [{ name: 'm', kind: 'continuous', absoluteTolerance: Number.NaN }] }] }, 'groups[0].metrics[0].absoluteTolerance must be a finite number'],
    [{ groups: [{ name: 'a', weight: 1, metrics: [{ name: 'm', kind: 'continuous', critical: 'yes' }] }] }, 'groups[0].metrics[0].critical must be a boolean'],
    [{ groups: [{ name: 'a', weight: 1, metrics: [{ name: 'm', kind: 'continuous', minimumSamples: 1 }] }] }, 'groups[0].metrics[0].minimumSamples must be an integer ≥ 2, got 1'],
    [{ groups: [{ name: 'a', weight: 1, metrics: [{ name: 'm', kind: 'continuous' }, { name: 'm', kind: 'proportion' }] }] }, 'groups[0].metrics[1].name "m" is not unique'],
    [{ groups: [{ name: 'a', weight: 1, metrics: [7] }] }, 'groups[0].metrics[0] must be an object'],
  ])('refuses %j naming the field: %s', (input, issue) => {
    expect(issuesOf(input)).toContain(issue);
  });

  it('reports every bad field at once, in the error message too', () => {
    const input = { confidence: 2, groups: [{ name: 'a', weight: -1, metrics: [{ name: 'm', kind: 'continuous', tolerance: -1 }] }] };
    expect(issuesOf(input)).toEqual(['confidence must be in (0, 1), got 2', 'groups[0].weight must be > 0, got -1', 'groups[0].metrics[0].tolerance must be ≥ 0, got -1']);
    expect(() => parseJudgeConfig(input)).toThrow('invalid canary judge config: confidence must be in (0, 1), got 2; groups[0].weight');
  });

  it('refuses what is not an object', () => {
    expect(issuesOf(null)).toEqual(['config must be an object']);
    expect(issuesOf([minimal])).toEqual(['config must be an object']);
  });
});
