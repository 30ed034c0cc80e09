import { mapPrometheusLabels } from './label-mapping';

describe(mapPrometheusLabels.name, () => {
  it('maps Strata labels, falls back to job and instance, and keeps the rest as extra labels', () => {
    const sut = mapPrometheusLabels({ __name__: 'up', stack: 'checkout', environment: 'production', job: 'api', instance: 'h:80', le: '0.5' }, {});
    expect(sut).toEqual({
      ok: true,
      labels: { stack: 'checkout', environment: 'production', component: 'api', node: 'h:80', metric: 'up', extra: { job: 'api', instance: 'h:80', le: '0.5' } },
    });
  });

  it('prefers explicit labels to fallbacks and defaults', () => {
    const sut = mapPrometheusLabels({ __name__: 'm', component: 'db', stack_config: 'checkout@2', node: 'n1', job: 'x' }, { stack: 's', environment: 'e', component: 'ignored' });
    expect(sut).toEqual({ ok: true, labels: { stack: 's', environment: 'e', component: 'db', stackConfig: 'checkout@2', node: 'n1', metric: 'm', extra: { job: 'x' } } });
  });

  it('names the missing or invalid label in Prometheus terms', () => {
    expect(mapPrometheusLabels({ __name__: 'm', environment: 'e', job: 'j' }, {})).toEqual({ ok: false, reason: "no 'stack' label and no default for it" });
    expect(mapPrometheusLabels({ __name__: 'm', stack: 'x'.repeat(64), environment: 'e', job: 'j' }, {})).toMatchObject({ ok: false, reason: expect.stringMatching(/^label 'stack' /) });
  });
});
