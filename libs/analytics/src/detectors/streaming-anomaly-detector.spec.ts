import { DEFAULT_DETECTOR_CONFIG, StreamingAnomalyDetector, scoreSeries } from './streaming-anomaly-detector';

/** Deterministic Gaussian-ish noise (sum of uniforms from an LCG), so the specs never flake. */
function noise(seed: number): () => number {
  let state = seed;
  const uniform = (): number => {
    state = (state * 1664525 + 1013904223) % 4294967296;
    return state / 4294967296;
  };
  return () => uniform() + uniform() + uniform() + uniform() - 2;
}

/** A daily-like cycle of 96 samples with noise: what a quiet KPI looks like. */
function seasonalSeries(length: number, seed = 7): number[] {
  const random = noise(seed);
  return Array.from({ length }, (_, i) => 50 + 10 * Math.sin((2 * Math.PI * i) / 96) + random());
}

const WARM_UP = 800;

describe(StreamingAnomalyDetector.name, () => {
  it('learns the period of the series', () => {
    const sut = new StreamingAnomalyDetector();
    const results = seasonalSeries(1000).map((value) => sut.update(value));
    expect(results[results.length - 1]!.period).toBe(96);
  });

  it('stays quiet once it has found a long season it first took for shifts', () => {
    // A noiseless daily step of 288 samples: the period is found only at the last checkpoint (600), the first with two cycles.
    const values = Array.from({ length: 3000 }, (_, i) => (i % 288 < 144 ? 10 : 20) + 5 * Math.sin((2 * Math.PI * i) / 288));
    const sut = new StreamingAnomalyDetector();
    const results = values.map((value) => sut.update(value));
    expect(results[598]!.period).toBeNull();
    expect(results[599]!.period).toBe(288);
    expect(Math.max(...results.slice(600).map((result) => result.score))).toBeLessThan(0.5);
  });

  it('stays quiet on a clean seasonal sine with noise', () => {
    const scores = scoreSeries(seasonalSeries(4000));
    const afterWarmUp = scores.slice(WARM_UP);
    expect(Math.max(...afterWarmUp)).toBeLessThan(0.5);
  });

  it('fires on an injected spike', () => {
    const values = seasonalSeries(3000);
    values[2000] = values[2000]! + 60;
    const scores = scoreSeries(values);
    const quietMax = Math.max(...scores.slice(WARM_UP, 2000));
    expect(Math.max(...scores.slice(2000, 2010))).toBeGreaterThan(Math.max(0.5, quietMax));
  });

  it('fires on a level shift and reports it as a change point', () => {
    const values = seasonalSeries(3000).map((value, i) => (i >= 2000 ? value + 15 : value));
    const sut = new StreamingAnomalyDetector();
    const results = values.map((value) => sut.update(value));
    const quietMax = Math.max(...results.slice(WARM_UP, 2000).map((result) => result.score));
    const shift = results.slice(2000, 2100);
    expect(Math.max(...shift.map((result) => result.score))).toBeGreaterThan(Math.max(0.5, quietMax));
    expect(shift.some((result) => result.changePoint)).toBe(true);
  });

  it('does not take the wake of sparse bursts on a flat series for level shifts', () => {
    const random = noise(17);
    let next = 50;
    // Idle at 0 with a two-sample burst every 50–150 samples: the residuals after each burst are one-sided.
    const values = Array.from({ length: 4000 }, (_, i) => {
      if (i !== next && i !== next + 1) return 0;
      if (i === next + 1) next += 100 + Math.round(25 * random());
      return 1.5 + random();
    });
    const changePoints = (config: typeof DEFAULT_DETECTOR_CONFIG): number => {
      const sut = new StreamingAnomalyDetector(config);
      return values.map((value) => sut.update(value)).slice(WARM_UP).filter((result) => result.changePoint).length;
    };
    expect(changePoints(DEFAULT_DETECTOR_CONFIG)).toBeLessThanOrEqual(3);
    expect(changePoints({ ...DEFAULT_DETECTOR_CONFIG, changeNormalisationRate: 0 })).toBeGreaterThan(20);
  });

  it('alarms on a value beyond the range seen so far, even a modest one on a noisy series', () => {
    const random = noise(5);
    const values = Array.from({ length: 3000 }, () => 100 + 10 * random());
    const ceiling = Math.max(...values.slice(0, 2000));
    values[2000] = ceiling + 12;
    const sut = new StreamingAnomalyDetector();
    const results = values.map((value) => sut.update(value));
    expect(results[2000]!.score).toBeGreaterThanOrEqual(0.9);
    expect(results.map((result, i) => (result.rangeNovel ? i : null)).filter((i) => i !== null && i >= 300)).toEqual([2000]);
    expect(scoreSeries(values, { ...DEFAULT_DETECTOR_CONFIG, rangeTolerance: 0 })[2000]).toBeLessThan(0.5);
  });

  it('alarms once per incident, and damps a larger one that follows within the refractory period', () => {
    const withSpikes = (second: number): number[] => {
      const values = seasonalSeries(3000);
      values[2000] = values[2000]! + 15;
      values[2030] = values[2030]! + second;
      return values;
    };
    expect(scoreSeries(withSpikes(15))[2000]).toBeGreaterThanOrEqual(0.5);
    expect(Math.max(...scoreSeries(withSpikes(15)).slice(2001, 2100))).toBeLessThan(0.5);
    expect(Math.max(...scoreSeries(withSpikes(80)).slice(2030, 2035))).toBeLessThan(0.5);
    // After the refractory period the same spike alarms again.
    expect(Math.max(...scoreSeries(withSpikes(80), { ...DEFAULT_DETECTOR_CONFIG, refractorySamples: 20 }).slice(2030, 2035))).toBeGreaterThanOrEqual(0.5);
  });

  it('scores in [0, 1] with a matching severity, even for flat and missing data', () => {
    const sut = new StreamingAnomalyDetector();
    const values = [...new Array<number>(500).fill(3), Number.NaN, 3, 3, 1000, ...new Array<number>(50).fill(3)];
    for (const value of values) {
      const result = sut.update(value);
      expect(result.score).toBeGreaterThanOrEqual(0);
      expect(result.score).toBeLessThanOrEqual(1);
      expect(['none', 'low', 'medium', 'high', 'critical']).toContain(result.severity);
    }
  });

  it('continues identically after a serialise and restore', () => {
    const values = seasonalSeries(2500).map((value, i) => (i === 1800 ? value + 40 : i >= 2000 ? value + 10 : value));
    const original = new StreamingAnomalyDetector();
    values.slice(0, 1200).forEach((value) => original.update(value));
    const restored = StreamingAnomalyDetector.fromJSON(JSON.parse(JSON.stringify(original.toJSON())));
    const rest = values.slice(1200);
    expect(rest.map((value) => restored.update(value))).toEqual(rest.map((value) => original.update(value)));
  });

  it('restores mid period search as well', () => {
    const values = seasonalSeries(900);
    const original = new StreamingAnomalyDetector(DEFAULT_DETECTOR_CONFIG);
    values.slice(0, 150).forEach((value) => original.update(value));
    const restored = StreamingAnomalyDetector.fromJSON(JSON.parse(JSON.stringify(original.toJSON())));
    const rest = values.slice(150);
    expect(rest.map((value) => restored.update(value).score)).toEqual(rest.map((value) => original.update(value).score));
  });
});
