import { parseTriggerWhen, TriggerCondition, TriggerFigures } from '../rollouts/rollback-triggers';
import { conditionHoldsConfidently } from './confident-condition';

const condition = (when: string) => (parseTriggerWhen(when) as { condition: TriggerCondition }).condition;
const side = (point: Partial<TriggerFigures>, lower: Partial<TriggerFigures> = point) => ({
  point: { requests: 100, errorRate: null, latencyMeanMs: null, latencyP99Ms: null, ...point },
  lower: { requests: 100, errorRate: null, latencyMeanMs: null, latencyP99Ms: null, ...lower },
});

describe('KPI conditions decided with confidence', () => {
  const errors = condition('error_rate(canary) > 2 * error_rate(stable) and error_rate(canary) > 0.01');

  it('reads the larger side of each comparison at its lower bound', () => {
    expect(conditionHoldsConfidently(errors, { canary: side({ errorRate: 0.5 }, { errorRate: 0.3 }), stable: side({ errorRate: 0.01 }) })).toBe(true);
    // Measured 1.7 %, but as little as 0.02 % is as likely: not evidence of a bad canary.
    expect(conditionHoldsConfidently(errors, { canary: side({ errorRate: 0.017 }, { errorRate: 0.0002 }), stable: side({ errorRate: 0.007 }) })).toBe(false);
  });

  it('reads the right side at its lower bound when it must be the larger', () => {
    const faster = condition('latency_p99_ms(canary) < 0.5 * latency_p99_ms(stable)');
    expect(conditionHoldsConfidently(faster, { canary: side({ latencyP99Ms: 10 }), stable: side({ latencyP99Ms: 40 }, { latencyP99Ms: 30 }) })).toBe(true);
    expect(conditionHoldsConfidently(faster, { canary: side({ latencyP99Ms: 10 }), stable: side({ latencyP99Ms: 40 }, { latencyP99Ms: 16 }) })).toBe(false);
  });

  it('never holds on a missing figure', () => {
    expect(conditionHoldsConfidently(condition('latency_mean_ms(canary) >= 100'), { canary: side({}), stable: side({}) })).toBe(false);
    expect(conditionHoldsConfidently(condition('latency_mean_ms(canary) >= 100'), { canary: side({ latencyMeanMs: 100 }), stable: side({}) })).toBe(true);
    expect(conditionHoldsConfidently(condition('error_rate(canary) <= 0.5'), { canary: side({ errorRate: 0.5 }), stable: side({}) })).toBe(true);
  });

  it.each([
    ['latency_mean_ms(canary) >= 51', true],
    ['latency_mean_ms(canary) > 51', false],
    ['latency_mean_ms(canary) <= 51', true],
    ['latency_mean_ms(canary) < 51', false],
  ])('compares %p exactly', (when, holds) => {
    expect(conditionHoldsConfidently(condition(when), { canary: side({ latencyMeanMs: 51 }), stable: side({}) })).toBe(holds);
  });

  it('holds only when every comparison holds', () => {
    expect(conditionHoldsConfidently(errors, { canary: side({ errorRate: 0.005 }), stable: side({ errorRate: 0 }) })).toBe(false);
    expect(conditionHoldsConfidently(errors, { canary: side({ errorRate: 0.3 }), stable: side({ errorRate: 0.2 }) })).toBe(false);
  });
});
