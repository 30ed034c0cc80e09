import 'reflect-metadata';
import { RequestValidationException, createValidationPipe } from '@strata/observability';
import { IngestSamplesDto, toSeriesBatches } from '../dtos/ingest.dto';
import { SamplesBodyPipe } from './samples-body.pipe';

const series = { stack: 'checkout', environment: 'production', component: 'api', metric: 'latency_seconds' };
const samples = [
  { timestamp: 1_764_201_600_000, value: 0.25 },
  { timestamp: 1_764_201_601_000, value: 0.5 },
];
const histogram = { timestamp: 1_764_201_600_000, bounds: [0.1, null], counts: [1, 2], sum: 0.4, count: 3 };
const good = { series, samples };

/** Bodies the DTO judges right; the pipe must accept or refuse each the same way, naming the same fields. */
const corpus: Record<string, unknown> = {
  'one batch': { batches: [good] },
  'every label and histograms': { batches: [{ series: { ...series, stackConfig: 'checkout@1', node: '10.0.0.7:80' }, samples, histograms: [histogram] }, good] },
  'null histograms': { batches: [{ series, samples, histograms: null }] },
  'no batches': {},
  'empty batches': { batches: [] },
  'batches not an array': { batches: 'all of them' },
  'too many batches': { batches: Array.from({ length: 1_001 }, () => good) },
  'unknown top-level field': { batches: [good], extra: 1 },
  'batch not an object': { batches: [good, 1] },
  'series not an object': { batches: [{ series: 'checkout', samples }] },
  'unknown label': { batches: [{ series: { ...series, color: 'red' }, samples }] },
  'missing stack': { batches: [{ series: { environment: 'e', component: 'c', metric: 'm' }, samples }] },
  'stack not a string': { batches: [{ series: { ...series, stack: 5 }, samples }] },
  'empty stack': { batches: [{ series: { ...series, stack: '' }, samples }] },
  'long environment': { batches: [{ series: { ...series, environment: 'e'.repeat(64) }, samples }] },
  'bad metric name': { batches: [{ series: { ...series, metric: 'bad name!' }, samples }] },
  'long metric': { batches: [{ series: { ...series, metric: 'm'.repeat(201) }, samples }] },
  'empty stackConfig': { batches: [{ series: { ...series, stackConfig: '' }, samples }] },
  'long node': { batches: [{ series: { ...series, node: 'n'.repeat(256) }, samples }] },
  'no samples': { batches: [{ series }] },
  'bad sample': { batches: [good, { series, samples: [...samples, { timestamp: 1, value: 'slow' }] }] },
  'bad histogram': { batches: [{ series, samples, histograms: [{ timestamp: 1 }] }] },
  'unknown batch field': { batches: [{ series, samples, color: 1 }] },
  'problems everywhere': { batches: [{ series: { ...series, color: 1, stack: 1 }, samples: 1, x: 1 }, good, { series: {}, samples: [] }], y: 2 },
};

describe(SamplesBodyPipe.name, () => {
  const sut = new SamplesBodyPipe();
  const dtoPipe = createValidationPipe();

  const judge = async (run: () => unknown): Promise<{ fields: string[] } | { batches: unknown }> => {
    try {
      return { batches: await run() };
    } catch (error) {
      if (error instanceof RequestValidationException) return { fields: [...new Set(error.violations.map((violation) => violation.field))].sort() };
      throw error;
    }
  };

  it.each(Object.keys(corpus))('judges a body as IngestSamplesDto does: %s', async (name) => {
    const body = corpus[name];
    const byDto = await judge(async () => toSeriesBatches((await dtoPipe.transform(structuredClone(body), { type: 'body', metatype: IngestSamplesDto, data: undefined })) as IngestSamplesDto));
    expect(await judge(() => sut.transform(structuredClone(body)))).toEqual(byDto);
  });

  it('names the first bad sample, as the DTO does', () => {
    expect(() => sut.transform(corpus['bad sample'])).toThrow(
      expect.objectContaining({ violations: [{ field: 'batches[1].samples', message: 'samples[2].value must be a finite number within ±1e300' }] }),
    );
  });

  it('hands the parsed samples on without copying them', () => {
    const body = { batches: [{ series, samples: [...samples] }] };
    expect(sut.transform(body)[0]!.samples).toBe(body.batches[0]!.samples);
  });

  it('takes a null optional label as absent, so the series is the one without it (the DTO kept the null)', () => {
    expect(sut.transform({ batches: [{ series: { ...series, node: null, stackConfig: null }, samples }] })[0]!.labels).toEqual(series);
  });

  it.each([
    ['a batch without series', { batches: [{ samples }] }, 'batches[0].series'],
    ['series given as an array', { batches: [{ series: [series], samples }] }, 'batches[0].series'],
    ['a batch given as an array', { batches: [[good]] }, 'batches[0]'],
    ['a body that is not an object', [good], 'body'],
  ])('refuses %s, which the DTO lets through', (_, body, field) => {
    expect(() => sut.transform(body)).toThrow(expect.objectContaining({ violations: [expect.objectContaining({ field })] }));
  });
});
