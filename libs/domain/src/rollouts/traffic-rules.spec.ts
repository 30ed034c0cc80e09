import { AnalysisFigures } from './threshold-judge';
import { IDLE_RULE_TRACKING, TrafficRule, TrafficRuleTracking, evaluateTrafficRule, trafficRuleViolations } from './traffic-rules';

const T0 = 1_700_000_000_000;

function figures(canaryErrors: number, stableErrors = 10): AnalysisFigures {
  return { canary: { requests: 1_000, errors: canaryErrors, latencyP99Ms: 120, latencyMeanMs: null, latencyHistogram: { values: [], counts: [] } }, stable: { requests: 1_000, errors: stableErrors, latencyP99Ms: 100, latencyMeanMs: null, latencyHistogram: { values: [], counts: [] } } };
}

// DESIGN.md's example: error_rate(canary) > 2 * error_rate(stable) and error_rate(canary) > 0.01, for 5s.
const ratioRule: TrafficRule = { name: 'canary-errors', condition: { kind: 'ratio', metric: 'errorRate', above: 2, floor: 0.01 }, forMs: 5_000, action: { kind: 'setWeights', weights: { v1: 100, v2: 0 } } };

describe(evaluateTrafficRule.name, () => {
  const sut = evaluateTrafficRule;

  it('fires once the condition has held for the duration, and only once per breach', () => {
    const first = sut(ratioRule, IDLE_RULE_TRACKING, figures(50), T0);
    expect(first).toMatchObject({ fire: false, tracking: { breachingSince: T0, firedAt: null } });
    const held = sut(ratioRule, first.tracking, figures(50), T0 + 5_000);
    expect(held).toMatchObject({ fire: true, tracking: { breachingSince: T0, firedAt: T0 + 5_000 } });
    expect(sut(ratioRule, held.tracking, figures(50), T0 + 10_000).fire).toBe(false);
  });

  it('resets when a window does not breach, so a flapping KPI never fires', () => {
    let tracking: TrafficRuleTracking = IDLE_RULE_TRACKING;
    for (let second = 0; second < 20; second += 2) {
      tracking = sut(ratioRule, tracking, figures(50), T0 + second * 1_000).tracking;
      const calm = sut(ratioRule, tracking, figures(5), T0 + (second + 1) * 1_000);
      expect(calm.fire).toBe(false);
      tracking = calm.tracking;
    }
    expect(tracking).toEqual(IDLE_RULE_TRACKING);
  });

  it('does not breach the ratio below the floor, nor within the multiple of the stable', () => {
    expect(sut({ ...ratioRule, forMs: 0 }, IDLE_RULE_TRACKING, figures(9, 1), T0).fire).toBe(false);
    expect(sut({ ...ratioRule, forMs: 0 }, IDLE_RULE_TRACKING, figures(30, 20), T0).fire).toBe(false);
    expect(sut({ ...ratioRule, forMs: 0 }, IDLE_RULE_TRACKING, figures(50, 20), T0).fire).toBe(true);
  });

  it('a threshold on one config compares that config only', () => {
    const rule: TrafficRule = { name: 'slow-stable', condition: { kind: 'threshold', metric: 'latencyP99Ms', config: 'stable', above: 110 }, forMs: 0, action: { kind: 'setWeights', weights: { v1: 0, v2: 100 } } };
    expect(sut(rule, IDLE_RULE_TRACKING, figures(0), T0).fire).toBe(false);
    const slow = figures(0);
    slow.stable.latencyP99Ms = 150;
    expect(sut(rule, IDLE_RULE_TRACKING, slow, T0)).toMatchObject({ fire: true, finding: 'latencyP99Ms of the stable config is 150 (limit 110)' });
  });

  it('never breaches without a measurement, and a missing measurement neither starts nor clears a breach', () => {
    const empty: AnalysisFigures = { canary: { requests: 0, errors: 0, latencyP99Ms: null, latencyMeanMs: null, latencyHistogram: { values: [], counts: [] } }, stable: { requests: 0, errors: 0, latencyP99Ms: null, latencyMeanMs: null, latencyHistogram: { values: [], counts: [] } } };
    expect(sut({ ...ratioRule, forMs: 0 }, IDLE_RULE_TRACKING, empty, T0)).toMatchObject({ fire: false, tracking: IDLE_RULE_TRACKING });
    const breaching = sut(ratioRule, IDLE_RULE_TRACKING, figures(50), T0).tracking;
    expect(sut(ratioRule, breaching, empty, T0 + 1_000).tracking).toBe(breaching);
    expect(sut(ratioRule, breaching, figures(50), T0 + 5_000).fire).toBe(true);
  });
});

describe(trafficRuleViolations.name, () => {
  const sut = trafficRuleViolations;

  it('accepts the example rule', () => {
    expect(sut(ratioRule)).toEqual([]);
  });

  it.each([
    [{ ...ratioRule, name: '' }, 'name'],
    [{ ...ratioRule, name: '../../etc' }, 'name'],
    [{ ...ratioRule, name: 'a/b c 💥' }, 'name'],
    [{ ...ratioRule, name: 'Canary' }, 'name'],
    [{ ...ratioRule, forMs: -1 }, 'forMs'],
    [{ ...ratioRule, condition: { kind: 'ratio', metric: 'cpu', above: 2, floor: 0 } }, 'condition.metric'],
    [{ ...ratioRule, condition: { kind: 'ratio', metric: 'errorRate', above: 2 } }, 'condition.floor'],
    [{ ...ratioRule, condition: { kind: 'threshold', metric: 'errorRate', above: 2, config: 'both' } }, 'condition.config'],
    [{ ...ratioRule, condition: { kind: 'trend', metric: 'errorRate', above: 2 } }, 'condition.kind'],
    [{ ...ratioRule, action: { kind: 'setWeights', weights: { v1: -1 } } }, 'action.weights'],
    [{ ...ratioRule, action: { kind: 'ejectNode', node: 'a' } }, 'action.kind'],
    [{ ...ratioRule, action: { kind: 'page' } }, 'action.kind'],
  ])('names the field of %j', (rule, field) => {
    expect(sut(rule).map((violation) => violation.field)).toEqual([field]);
  });

  it('refuses the abort action, pointing at rollback triggers: aborting a rollout is not traffic shaping', () => {
    expect(sut({ ...ratioRule, action: { kind: 'abortRollout' } })).toEqual([
      { field: 'action.kind', message: "abortRollout is not a traffic rule's action: aborting a rollout is a rollback trigger's job; declare it in the Rollout's spec.rollbackTriggers" },
    ]);
  });
});
