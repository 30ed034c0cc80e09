import { MAX_SAMPLES_PER_BATCH, firstHistogramProblem, firstSampleProblem } from './sample-validation';

describe(firstSampleProblem.name, () => {
  const good = Array.from({ length: 20 }, (_, index) => ({ timestamp: 1_000 + index, value: index / 3 }));

  it('accepts well-formed samples', () => {
    expect(firstSampleProblem(good)).toBeNull();
  });

  it.each([
    [17, { timestamp: 1, value: '3' }, 'samples[17].value must be a finite number within ±1e300'],
    [12, { timestamp: 1, value: 1.7e308 }, 'samples[12].value must be a finite number within ±1e300'],
    [3, { timestamp: 1.5, value: 3 }, 'samples[3].timestamp must be epoch milliseconds (a whole number ≥ 0)'],
    [0, { timestamp: 1, value: 3, unit: 's' }, 'samples[0].unit should not exist'],
    [5, null, 'samples[5] must be an object {timestamp, value}'],
  ])('names the first bad sample (index %i)', (index, bad, message) => {
    const samples: unknown[] = [...good];
    samples[index] = bad;
    samples[19] = { timestamp: 'later', value: 1 };
    expect(firstSampleProblem(samples)).toBe(message);
  });

  it('refuses an oversized batch', () => {
    expect(firstSampleProblem(Array.from({ length: MAX_SAMPLES_PER_BATCH + 1 }, () => ({ timestamp: 1, value: 1 })))).toMatch(/at most/);
  });
});

describe(firstHistogramProblem.name, () => {
  it('checks histograms against the contract schema, naming the field', () => {
    const histogram = { timestamp: 1, bounds: [1, null], counts: [1, 2], sum: 3, count: 3 };
    expect(firstHistogramProblem([histogram])).toBeNull();
    expect(firstHistogramProblem([histogram, { ...histogram, counts: [1, -2] }])).toMatch(/^histograms\[1\]\.counts\[1\] /);
    expect(firstHistogramProblem([{ ...histogram, counts: [1] }])).toMatch(/^histograms\[0\]\.counts counts and bounds must have the same length/);
    expect(firstHistogramProblem([{ ...histogram, bounds: [5, 1], counts: [1, 2] }])).toBe('histograms[0].bounds[1] bounds must be strictly ascending (1 after 5)');
    expect(firstHistogramProblem([{ ...histogram, count: 30 }])).toBe('histograms[0].count must equal the sum of counts (3)');
  });
});
