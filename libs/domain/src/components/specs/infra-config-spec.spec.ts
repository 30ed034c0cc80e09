import { infraConfigSpecViolations } from './infra-config-spec';

describe(infraConfigSpecViolations.name, () => {
  const sut = (spec: unknown) => infraConfigSpecViolations(spec, 'spec');

  it('accepts free-form keys with any JSON values', () => {
    expect(sut({ region: 'eu-west-1', nodes: 3, spot: false, pools: [{ name: 'a', labels: { tier: 'web' } }], retired: null })).toEqual([]);
  });

  it('accepts an empty map', () => {
    expect(sut({})).toEqual([]);
  });

  it('requires a map', () => {
    expect(sut(['region'])).toEqual([{ field: 'spec', message: 'must be an object, got a list' }]);
  });

  it('refuses blank keys and values JSON cannot hold, at any depth', () => {
    expect(sut({ ' ': 1, pools: [{ size: Number.NaN }], at: { when: new Date(0) } })).toEqual([
      { field: 'spec. ', message: 'keys must not be blank' },
      { field: 'spec.pools[0].size', message: 'must be a finite number, got NaN' },
      { field: 'spec.at.when', message: 'must be a JSON value, got object' },
    ]);
  });
});
