import { querySourceBatches } from './query-source-batches';

describe(querySourceBatches.name, () => {
  it('names series without __name__ after the source, applies defaults and keeps other labels as extra', () => {
    const sut = querySourceBatches(
      [{ labels: { job: 'api', instance: '10.0.0.1:80', code: '500' }, samples: [{ timestamp: 1_000, value: 0.5 }], path: 'result[0]' }],
      'http_error_ratio',
      { stack: 'checkout', environment: 'production' },
    );
    expect(sut).toEqual({
      unmappedSeries: 0,
      unmappedReason: null,
      skippedNonFinite: 0,
      batches: [
        {
          labels: { stack: 'checkout', environment: 'production', component: 'api', node: '10.0.0.1:80', metric: 'http_error_ratio', extra: { job: 'api', instance: '10.0.0.1:80', code: '500' } },
          samples: [{ timestamp: 1_000, value: 0.5 }],
          histograms: [],
          path: 'result[0]',
        },
      ],
    });
  });

  it("keeps a series' own __name__ and stack over the source's", () => {
    const sut = querySourceBatches([{ labels: { __name__: 'up', stack: 'own', job: 'db' }, samples: [{ timestamp: 1_000, value: 1 }], path: 'result[0]' }], 'renamed', {
      stack: 'checkout',
      environment: 'production',
    });
    expect(sut.batches[0]?.labels).toEqual(expect.objectContaining({ metric: 'up', stack: 'own', component: 'db' }));
  });

  it('stores the mappable series, counts the others and says why the first failed', () => {
    const sut = querySourceBatches(
      [
        { labels: { job: 'api' }, samples: [{ timestamp: 1_000, value: 1 }], path: 'result[0]' },
        { labels: { environment: 'production', job: 'api' }, samples: [{ timestamp: 1_000, value: 2 }, { timestamp: 2_000, value: Number.NaN }], path: 'result[1]' },
        { labels: {}, samples: [{ timestamp: 1_000, value: 3 }], path: 'result[2]' },
      ],
      'm',
      { stack: 'checkout' },
    );
    expect(sut.batches.map((batch) => batch.samples)).toEqual([[{ timestamp: 1_000, value: 2 }]]);
    expect(sut).toEqual(expect.objectContaining({ unmappedSeries: 2, unmappedReason: "result[0]: no 'environment' label and no default for it", skippedNonFinite: 1 }));
  });
});
