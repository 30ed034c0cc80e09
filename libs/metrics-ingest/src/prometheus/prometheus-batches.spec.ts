import { toSeriesBatches } from './prometheus-batches';

const labels = { __name__: 'up', stack: 's', environment: 'e', job: 'api' };

describe(toSeriesBatches.name, () => {
  it('groups samples of one series, skipping and counting non-finite values', () => {
    const sut = toSeriesBatches(
      [
        { labels, samples: [{ timestamp: 1, value: 1 }], path: 'timeseries[0]' },
        { labels: { ...labels }, samples: [{ timestamp: 2, value: Number.NaN }, { timestamp: 3, value: 3 }], path: 'timeseries[1]' },
        { labels: { ...labels, __name__: 'stale' }, samples: [{ timestamp: 2, value: Number.POSITIVE_INFINITY }], path: 'timeseries[2]' },
      ],
      {},
    );
    expect(sut).toEqual({
      ok: true,
      skippedNonFinite: 2,
      batches: [{ labels: { stack: 's', environment: 'e', component: 'api', metric: 'up', extra: { job: 'api' } }, samples: [{ timestamp: 1, value: 1 }, { timestamp: 3, value: 3 }], histograms: [], path: 'timeseries[0]' }],
    });
  });

  it('names the first unmappable series or bad timestamp', () => {
    expect(toSeriesBatches([{ labels: { __name__: 'up' }, samples: [], path: 'line 4' }], {})).toEqual({ ok: false, violation: { field: 'line 4.labels', message: "no 'stack' label and no default for it" } });
    expect(toSeriesBatches([{ labels, samples: [{ timestamp: 1, value: 1 }, { timestamp: -5, value: 1 }], path: 'timeseries[9]' }], {})).toMatchObject({
      ok: false,
      violation: { field: 'timeseries[9].samples[1].timestamp' },
    });
  });
});
