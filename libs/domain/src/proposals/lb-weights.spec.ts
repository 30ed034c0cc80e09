import { forecastSkill, proposeLbWeights } from './lb-weights';

const base = { firstAt: 1_000_000, stepMs: 60_000, minImbalance: 0.1, minWeight: 5 };

describe('forecastSkill', () => {
  const lstm = { kind: 'lstm', method: 'lstm' } as const;
  const holt = { kind: 'baseline', method: 'holt' } as const;

  it('is better when the LSTM beats every baseline, naming the best one', () => {
    expect(forecastSkill(lstm, [{ method: 'seasonal-naive', mase: 0.9 }, { method: 'ses', mase: 0.7 }, { method: 'lstm', mase: 0.5 }])).toEqual({ better: true, mase: 0.5, baseline: 'ses', baselineMase: 0.7 });
  });

  it('is not better when a baseline matches or beats the LSTM, naming the baseline and both figures', () => {
    expect(forecastSkill(lstm, [{ method: 'seasonal-naive', mase: 0.6 }, { method: 'lstm', mase: 0.6 }])).toEqual({ better: false, reason: 'lstm backtest MASE 0.600 is no better than the baseline seasonal-naive (MASE 0.600)' });
  });

  it('judges a serving baseline against the no-skill baselines only: a smoothing method tying with it does not count', () => {
    const backtest = [{ method: 'naive', mase: 1.2 }, { method: 'seasonal-naive', mase: 1.1 }, { method: 'holt', mase: 0.34 }, { method: 'holt-winters', mase: 0.34 }];
    expect(forecastSkill(holt, backtest)).toEqual({ better: true, mase: 0.34, baseline: 'seasonal-naive', baselineMase: 1.1 });
    expect(forecastSkill(holt, [{ method: 'naive', mase: 0.3 }, { method: 'holt', mase: 0.34 }])).toMatchObject({ better: false, reason: 'holt backtest MASE 0.340 is no better than the baseline naive (MASE 0.300)' });
  });

  it('is not better without a backtest of its own or of any baseline', () => {
    expect(forecastSkill(holt, [{ method: 'naive', mase: 1 }])).toEqual({ better: false, reason: 'holt has no backtest MASE' });
    expect(forecastSkill(holt, [{ method: 'holt', mase: 0.4 }, { method: 'naive', mase: null }])).toEqual({ better: false, reason: 'holt (MASE 0.400) has no baseline backtested beside it' });
  });
});

describe('proposeLbWeights', () => {
  it('shifts weight away from the node whose load rises toward the peak and equalises the peak loads', () => {
    const outcome = proposeLbWeights({
      ...base,
      nodes: [
        { node: 'a', load: [100, 150, 300, 200], latency: [20, 30, 80, 40] },
        { node: 'b', load: [100, 100, 100, 100] },
      ],
      current: { a: 50, b: 50 },
    });
    if (!outcome.proposed) throw new Error(outcome.reason);
    expect(outcome.peakStep).toBe(2);
    expect(outcome.peakAt).toBe(base.firstAt + 2 * base.stepMs);
    expect(outcome.weights).toEqual({ a: 25, b: 75 });
    expect(outcome.imbalance).toBe(0.5);
    expect(outcome.effect).toEqual([
      { node: 'a', currentWeight: 50, proposedWeight: 25, peakLoadBefore: 300, peakLoadAfter: 150, peakLatency: 80 },
      { node: 'b', currentWeight: 50, proposedWeight: 75, peakLoadBefore: 100, peakLoadAfter: 150, peakLatency: null },
    ]);
  });

  it('proposes nothing when the peak loads are balanced, saying by how much', () => {
    const outcome = proposeLbWeights({ ...base, nodes: [{ node: 'a', load: [100, 104] }, { node: 'b', load: [100, 100] }], current: { a: 1, b: 1 } });
    expect(outcome).toEqual({ proposed: false, reason: 'node loads at the forecast peak spread 2 % above their mean, below the 10 % worth a change' });
  });

  it('needs two weighted nodes and leaves unweighted ones out', () => {
    const outcome = proposeLbWeights({ ...base, nodes: [{ node: 'a', load: [100] }, { node: 'b', load: [900] }], current: { a: 100, b: 0 } });
    expect(outcome).toEqual({ proposed: false, reason: '1 weighted node(s) with a load forecast: weights need at least two' });
  });

  it('keeps every weighted node at the minimum weight and the sum at 100', () => {
    const outcome = proposeLbWeights({ ...base, nodes: [{ node: 'a', load: [10_000] }, { node: 'b', load: [10] }, { node: 'c', load: [10] }], current: { a: 34, b: 33, c: 33 } });
    if (!outcome.proposed) throw new Error(outcome.reason);
    expect(outcome.weights['a']).toBe(5);
    expect(Object.values(outcome.weights).reduce((sum, weight) => sum + weight, 0)).toBe(100);
  });
});
