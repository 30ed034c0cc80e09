import { DEFAULT_SCORE_SETTINGS, stackConfigScore } from './stack-config-score';

const healthyBaseline = { requests: 1_000, errors: 5, meanLatencyMs: 20 };

describe(stackConfigScore.name, () => {
  it('gives full score to a config as good as the baseline', () => {
    expect(stackConfigScore({ requests: 100, errors: 0, meanLatencyMs: 20 }, healthyBaseline)).toBe(1);
  });

  it('gives full score when there are too few requests to judge', () => {
    expect(stackConfigScore({ requests: DEFAULT_SCORE_SETTINGS.minRequests - 1, errors: 19, meanLatencyMs: 900 }, healthyBaseline)).toBe(1);
  });

  it('tolerates an error rate slightly above the baseline', () => {
    expect(stackConfigScore({ requests: 1_000, errors: 14, meanLatencyMs: 20 }, healthyBaseline)).toBe(1);
  });

  it('lowers the score in proportion to the excess error rate', () => {
    // 0.5 % baseline + 1 % tolerance; 6.5 % is 5 points over: half of the 10 points that floor it
    expect(stackConfigScore({ requests: 1_000, errors: 65, meanLatencyMs: 20 }, healthyBaseline)).toBeCloseTo(0.5, 10);
  });

  it('never goes below the floor', () => {
    expect(stackConfigScore({ requests: 1_000, errors: 1_000, meanLatencyMs: 20 }, healthyBaseline)).toBe(DEFAULT_SCORE_SETTINGS.floor);
  });

  it('lowers the score for latency beyond the tolerated ratio', () => {
    // 60 ms against 20 ms is a ratio of 3; tolerance 1.5 → 0.5
    expect(stackConfigScore({ requests: 100, errors: 0, meanLatencyMs: 60 }, healthyBaseline)).toBeCloseTo(0.5, 10);
  });

  it('multiplies error and latency penalties', () => {
    expect(stackConfigScore({ requests: 1_000, errors: 65, meanLatencyMs: 60 }, healthyBaseline)).toBeCloseTo(0.25, 10);
  });

  it('does not shift traffic when the baseline is just as slow and failing', () => {
    expect(stackConfigScore({ requests: 1_000, errors: 100, meanLatencyMs: 200 }, { requests: 1_000, errors: 100, meanLatencyMs: 200 })).toBe(1);
  });

  it('judges the error rate against 0 when the baseline has too few requests', () => {
    const sut = stackConfigScore({ requests: 1_000, errors: 60, meanLatencyMs: 500 }, { requests: 1, errors: 0, meanLatencyMs: 1 });

    expect(sut).toBeCloseTo(0.5, 10);
  });

  it('takes its settings from the caller', () => {
    const settings = { ...DEFAULT_SCORE_SETTINGS, floor: 0.2 };

    expect(stackConfigScore({ requests: 1_000, errors: 1_000, meanLatencyMs: 20 }, healthyBaseline, settings)).toBe(0.2);
  });
});
