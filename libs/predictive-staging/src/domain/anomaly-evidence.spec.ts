import { StreamingAnomalyDetector } from '@strata/analytics';
import { baselineForecasts, isReported, nearestExpectation, severityRank } from './anomaly-evidence';

describe(isReported.name, () => {
  it('reports severities at or above the minimum, never none', () => {
    expect(isReported('medium', 'medium')).toBe(true);
    expect(isReported('critical', 'medium')).toBe(true);
    expect(isReported('low', 'medium')).toBe(false);
    expect(isReported('none', 'low')).toBe(false);
    expect(severityRank('high')).toBeGreaterThan(severityRank('medium'));
  });
});

describe(baselineForecasts.name, () => {
  it('reads what each ready baseline expects next from the detector state', () => {
    expect(baselineForecasts(null)).toEqual({ ewma: null, seasonalNaive: null, holtWinters: null });
    const detector = new StreamingAnomalyDetector();
    for (let i = 0; i < 20; i++) detector.update(50);
    const sut = baselineForecasts(detector.toJSON());
    expect(sut.ewma).toBeCloseTo(50, 10);
    expect(sut.seasonalNaive).toBeNull();
  });
});

describe(nearestExpectation.name, () => {
  it('takes the ready baseline nearest the observation', () => {
    expect(nearestExpectation(10, { ewma: 4, seasonalNaive: 9, holtWinters: null })).toBe(9);
    expect(nearestExpectation(10, { ewma: null, seasonalNaive: null, holtWinters: null })).toBeNull();
  });
});
