import { kpiSamplesV1 } from './kpi-events';

describe('kpiSamplesV1', () => {
  const series = { stack: 'shop', environment: 'production', component: 'api', metric: 'latency_seconds' };
  const problemOf = (samples: unknown[]) => {
    const parsed = kpiSamplesV1.safeParse({ series, samples });
    return parsed.success ? null : { path: parsed.error.issues[0]!.path, message: parsed.error.issues[0]!.message };
  };

  it('accepts samples and hands back the very objects it checked', () => {
    const samples = [
      { timestamp: 0, value: -1.5 },
      { timestamp: 1_764_000_000_000, value: 0 },
    ];
    const parsed = kpiSamplesV1.parse({ series, samples });
    expect(parsed.samples).toEqual(samples);
    expect(parsed.samples[1]).toBe(samples[1]);
  });

  it.each([
    ['a fractional timestamp', { timestamp: 1.5, value: 1 }],
    ['a negative timestamp', { timestamp: -1, value: 1 }],
    ['a timestamp beyond 2^53', { timestamp: 2 ** 53, value: 1 }],
    ['a timestamp as text', { timestamp: '1764000000000', value: 1 }],
    ['no value', { timestamp: 1 }],
    ['an infinite value', { timestamp: 1, value: Number.POSITIVE_INFINITY }],
    ['NaN', { timestamp: 1, value: Number.NaN }],
    ['null', null],
    ['a number', 5],
  ])('refuses %s, naming the sample', (_, sample) => {
    expect(problemOf([{ timestamp: 1, value: 1 }, sample])).toEqual({ path: ['samples', 1], message: expect.stringMatching(/^must be \{timestamp: epoch milliseconds/) });
  });

  it('refuses more than 10 000 samples', () => {
    expect(problemOf(Array.from({ length: 10_001 }, (_, index) => ({ timestamp: index, value: 1 })))).toEqual({ path: ['samples'], message: expect.stringMatching(/10000/) });
  });
});
