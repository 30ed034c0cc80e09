import { DeployedGroup, RegressionEvidence, chooseLastKnownGood, expectedEffects, isRegression, mergeRegressionEvidence } from './app-version-proposal';

const group = (versionGroup: string, api: string | null, at: number, db = '1.0.0'): DeployedGroup => ({
  versionGroup,
  members: [...(api === null ? [] : [{ component: 'shop-api', version: api }]), { component: 'shop-db', version: db }],
  deployedAt: at,
});

const anomaly = (anomalyId: string, at: number, overrides: Partial<RegressionEvidence> = {}): RegressionEvidence => ({
  anomalyId,
  seriesId: 's1',
  metric: 'http_errors_ratio',
  node: null,
  at,
  score: 0.9,
  severity: 'high',
  observed: 0.08,
  expected: 0.01,
  ...overrides,
});

describe(chooseLastKnownGood.name, () => {
  it('proposes the group deployed before the running one', () => {
    const sut = chooseLastKnownGood([group('shop@2', '2.0.0', 20), group('shop@1', '1.0.0', 10)], 'shop-api', 'shop@2', new Set());
    expect(sut).toEqual({ found: true, running: { versionGroup: 'shop@2', version: '2.0.0' }, proposed: { versionGroup: 'shop@1', version: '1.0.0', deployedAt: 10 }, skipped: [] });
  });

  it('passes over groups that regressed, that carry the same app version or none, and judges a redeployed group once', () => {
    const history = [group('shop@4', '4.0.0', 40), group('shop@3', '3.0.0', 30), group('shop@3b', '4.0.0', 25, '2.0.0'), group('shop@x', null, 22), group('shop@3', '3.0.0', 21), group('shop@1', '1.0.0', 10)];
    const sut = chooseLastKnownGood(history, 'shop-api', 'shop@4', new Set(['shop@3']));
    expect(sut).toMatchObject({ found: true, proposed: { versionGroup: 'shop@1', version: '1.0.0' } });
    expect(sut.skipped).toEqual([
      { versionGroup: 'shop@3', reason: 'had a regression anomaly while it ran' },
      { versionGroup: 'shop@3b', reason: 'carries the same shop-api version 4.0.0' },
      { versionGroup: 'shop@x', reason: 'does not carry shop-api' },
    ]);
  });

  it('finds nothing without an earlier deployment, saying why', () => {
    expect(chooseLastKnownGood([group('shop@1', '1.0.0', 10)], 'shop-api', 'shop@1', new Set())).toEqual({ found: false, reason: 'no deployment before shop@1 is known in this environment', skipped: [] });
    expect(chooseLastKnownGood([], 'shop-api', 'shop@1', new Set())).toMatchObject({ found: false, reason: 'no deployment of this environment is known' });
  });

  it('finds nothing when every earlier group regressed, or the anomaly is not of the running group', () => {
    const history = [group('shop@2', '2.0.0', 20), group('shop@1', '1.0.0', 10)];
    expect(chooseLastKnownGood(history, 'shop-api', 'shop@2', new Set(['shop@1']))).toMatchObject({ found: false, reason: 'no earlier version group is known good (shop@1: had a regression anomaly while it ran)' });
    expect(chooseLastKnownGood(history, 'shop-api', 'shop@1', new Set())).toMatchObject({ found: false, reason: 'shop@1 is not what is deployed (shop@2 is)' });
    expect(chooseLastKnownGood(history, 'other-api', 'shop@2', new Set())).toMatchObject({ found: false, reason: 'shop@2 does not carry other-api' });
  });
});

describe(isRegression.name, () => {
  const rule = { minSeverity: 'high' as const, metrics: /error|latency|duration/ };

  it('takes a severe rise of an error or latency metric', () => {
    expect(isRegression({ metric: 'http_errors_ratio', severity: 'critical', observed: 0.2, expected: 0.01 }, rule)).toBe(true);
    expect(isRegression({ metric: 'request_duration_ms', severity: 'high', observed: 300, expected: null }, rule)).toBe(true);
  });

  it('leaves out a drop, a mild anomaly and another metric', () => {
    expect(isRegression({ metric: 'http_errors_ratio', severity: 'critical', observed: 0, expected: 0.01 }, rule)).toBe(false);
    expect(isRegression({ metric: 'http_errors_ratio', severity: 'medium', observed: 0.2, expected: 0.01 }, rule)).toBe(false);
    expect(isRegression({ metric: 'cpu_utilisation', severity: 'critical', observed: 0.9, expected: 0.3 }, rule)).toBe(false);
  });
});

describe(mergeRegressionEvidence.name, () => {
  it('adds a new anomaly in time order and ignores one it holds already', () => {
    const once = mergeRegressionEvidence([anomaly('b', 20)], anomaly('a', 10));
    expect(once.map((entry) => entry.anomalyId)).toEqual(['a', 'b']);
    expect(mergeRegressionEvidence(once, anomaly('a', 10, { score: 0.1 }))).toEqual(once);
  });

  it('keeps the newest anomalies past the cap', () => {
    const sut = mergeRegressionEvidence([anomaly('a', 10), anomaly('b', 20)], anomaly('c', 30), 2);
    expect(sut.map((entry) => entry.anomalyId)).toEqual(['b', 'c']);
  });
});

describe(expectedEffects.name, () => {
  it("sets each metric's level now beside its level under the last known good group", () => {
    const evidence = [anomaly('a', 10, { observed: 0.06 }), anomaly('b', 20, { observed: 0.1 }), anomaly('c', 30, { metric: 'latency_ms', observed: 300 })];
    const sut = expectedEffects(evidence, new Map([['http_errors_ratio', { mean: 0.01, windows: 120 }]]));
    expect(sut).toEqual([
      { metric: 'http_errors_ratio', now: 0.08, lastKnownGood: 0.01, lastKnownGoodWindows: 120, expectedReduction: 0.875 },
      { metric: 'latency_ms', now: 300, lastKnownGood: null, lastKnownGoodWindows: 0, expectedReduction: null },
    ]);
  });
});
