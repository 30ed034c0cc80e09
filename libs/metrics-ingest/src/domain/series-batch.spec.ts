import { seriesKey, storedLabels } from './series-batch';

describe(seriesKey.name, () => {
  const labels = { stack: 'checkout', environment: 'production', component: 'api', metric: 'latency' };

  it('does not depend on the order labels arrived in', () => {
    expect(seriesKey({ ...labels, extra: { b: '2', a: '1' } })).toBe(seriesKey({ metric: 'latency', component: 'api', environment: 'production', stack: 'checkout', extra: { a: '1', b: '2' } }));
  });

  it('tells series apart by every label', () => {
    expect(seriesKey(labels)).not.toBe(seriesKey({ ...labels, node: 'n1' }));
    expect(seriesKey(labels)).not.toBe(seriesKey({ ...labels, extra: { method: 'GET' } }));
  });

  it('stores absent labels as absent', () => {
    expect(storedLabels({ ...labels, extra: {} })).toEqual(labels);
  });
});
