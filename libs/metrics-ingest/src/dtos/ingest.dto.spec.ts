import 'reflect-metadata';
import { RequestValidationException, createValidationPipe } from '@strata/observability';
import { IngestSamplesDto, toSeriesBatches } from './ingest.dto';

describe(IngestSamplesDto.name, () => {
  const sut = createValidationPipe();
  const series = { stack: 'checkout', environment: 'production', component: 'api', metric: 'latency_seconds' };
  const samples = () => Array.from({ length: 30 }, (_, index) => ({ timestamp: 1_764_201_600_000 + index * 1_000, value: index / 7 }));
  const validate = (body: unknown) => sut.transform(body, { type: 'body', metatype: IngestSamplesDto, data: undefined }) as Promise<IngestSamplesDto>;
  const violations = async (body: unknown) => {
    try {
      await validate(body);
    } catch (error) {
      if (error instanceof RequestValidationException) return error.violations;
      throw error;
    }
    throw new Error('expected the body to be refused');
  };

  it('passes the parsed samples through the global validation pipe without copying them', async () => {
    const body = { batches: [{ series, samples: samples() }, { series: { ...series, node: 'n1' }, samples: samples() }] };
    const dto = await validate(body);
    expect(dto.batches[1]!.samples).toBe(body.batches[1]!.samples);
    expect(toSeriesBatches(dto)).toEqual([
      { labels: series, samples: body.batches[0]!.samples, histograms: [], path: 'batches[0]' },
      { labels: { ...series, node: 'n1' }, samples: body.batches[1]!.samples, histograms: [], path: 'batches[1]' },
    ]);
  });

  it('still names the first bad sample of the batch it is in', async () => {
    const bad: unknown[] = samples();
    bad[17] = { timestamp: 1, value: 'slow' };
    expect(await violations({ batches: [{ series, samples: samples() }, { series, samples: bad }] })).toEqual([
      { field: 'batches[1].samples', message: 'samples[17].value must be a finite number within ±1e300' },
    ]);
  });

  it('refuses missing samples and unknown fields', async () => {
    expect(await violations({ batches: [{ series }] })).toEqual([{ field: 'batches[0].samples', message: 'is required' }]);
    const fields = (await violations({ batches: [{ series, samples: samples(), color: 'red' }] })).map((violation) => violation.field);
    expect(fields).toEqual(['batches[0].color']);
  });
});
