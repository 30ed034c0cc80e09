import { fitSmoothing, futureSeason, smoothingErrors, smoothingStates } from './smoothing';

const seasonal = (length: number, period: number, noise = 0): number[] => Array.from({ length }, (_, t) => 10 + 3 * Math.sin((2 * Math.PI * t) / period) + noise * Math.sin(t * 12.9898));

describe(smoothingStates.name, () => {
  const sut = smoothingStates;

  it('starts from the first season and runs SES when there is no season', () => {
    const states = sut([1, 3, 5, 7], { alpha: 0.5, gamma: 0, period: 1 });
    // level: 1, then 0.5·3 + 0.5·1 = 2, 0.5·5 + 0.5·2 = 3.5, 0.5·7 + 0.5·3.5 = 5.25.
    expect(Array.from(states.level)).toEqual([1, 2, 3.5, 5.25]);
    expect(states.start).toBe(1);
    expect(smoothingErrors([1, 3, 5, 7], states)).toEqual([2, 3, 3.5]);
  });

  it('initialises from the first two seasons and carries the components one period past the end', () => {
    const values = [1, 5, 2, 6, 3, 7];
    const states = sut(values, { alpha: 0.5, gamma: 0.5, period: 2 });
    // Mean 3.5; both seasons deviate by [−2, 2] from their own means.
    expect(states.start).toBe(4);
    expect(states.level[3]).toBe(3.5);
    expect(Array.from(states.season.slice(0, 6))).toEqual([-2, 2, -2, 2, -2, 2]);
    // t = 4: 0.5 · (3 − (−2)) + 0.5 · 3.5.
    expect(states.level[4]).toBe(4.25);
    expect(states.season.length).toBe(values.length + 2);
    // The components of the next two steps are those updated at the last two observations.
    expect(futureSeason(states, 6, 1, 2)).toBe(states.season[6]);
    expect(futureSeason(states, 6, 2, 2)).toBe(states.season[7]);
    expect(futureSeason(states, 6, 3, 2)).toBe(states.season[6]);
  });

  it('is causal: values after t change no state of time t or before', () => {
    const values = seasonal(120, 12, 0.5);
    const changed = values.map((value, t) => (t >= 80 ? value + 100 * ((t % 3) - 1) : value));
    const params = { alpha: 0.3, gamma: 0.2, period: 12 };
    const a = sut(values, params);
    const b = sut(changed, params);
    expect(Array.from(b.level.slice(0, 80))).toEqual(Array.from(a.level.slice(0, 80)));
    // season[t] for t < 80 + 12 was set by observations before 80.
    expect(Array.from(b.season.slice(0, 92))).toEqual(Array.from(a.season.slice(0, 92)));
    expect(b.level[80]).not.toBe(a.level[80]);
  });

  it('forecasts a purely periodic series exactly whatever the constants', () => {
    const values = Array.from({ length: 60 }, (_, t) => [3, 9, 4, 1, 7][t % 5]);
    for (const params of [
      { alpha: 0.9, gamma: 0.05, period: 5 },
      { alpha: 0.1, gamma: 0.8, period: 5 },
    ]) {
      const states = sut(values, params);
      expect(Math.max(...smoothingErrors(values, states).map(Math.abs))).toBeLessThan(1e-12);
      expect(states.level[59] + futureSeason(states, 60, 3, 5)).toBeCloseTo(values[2], 12);
    }
  });

  it('refuses a series no longer than its warm-up', () => {
    expect(() => sut([1, 2, 3, 4, 5, 6], { alpha: 0.5, gamma: 0.5, period: 3 })).toThrow(RangeError);
  });
});

describe(fitSmoothing.name, () => {
  const sut = fitSmoothing;

  it('fits a noiseless season so well that one-step errors vanish', () => {
    const values = seasonal(240, 12);
    const params = sut(values, 12);
    expect(params.period).toBe(12);
    expect(params.gamma).toBeLessThanOrEqual(1 - params.alpha + 1e-12);
    const errors = smoothingErrors(values, smoothingStates(values, params)).slice(24);
    expect(Math.max(...errors.map(Math.abs))).toBeLessThan(0.05);
  });

  it('falls back to SES with fewer than three seasons', () => {
    expect(sut(seasonal(70, 24), 24)).toMatchObject({ period: 1, gamma: 0 });
  });

  it('smooths noise around a flat level heavily (small α)', () => {
    const noisy = Array.from({ length: 300 }, (_, t) => 5 + Math.sin(t * 78.233) * 2);
    expect(sut(noisy, 1).alpha).toBeLessThan(0.2);
  });
});
