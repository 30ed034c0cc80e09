import { configParameterType, configViolations, typedConfig, typedConfigParameter } from './config-parameters';

describe(configViolations.name, () => {
  const sut = configViolations;

  it('accepts the config of checkout-api: numbers, booleans and durations', () => {
    expect(sut({ replicas: 3, featureCoupons: true, requestTimeout: '2s', statement_timeout: '5s', 'log.level': 'info' })).toEqual([]);
  });

  it('accepts no parameters', () => {
    expect(sut({})).toEqual([]);
  });

  it('requires a map', () => {
    expect(sut([['replicas', 3]])).toEqual([{ field: 'config', message: 'must be an object, got a list' }]);
  });

  it('refuses structured, null and non-finite values, each by name', () => {
    expect(sut({ pool: { min: 1 }, hosts: ['a'], missing: null, ratio: Number.NaN, limit: Number.POSITIVE_INFINITY })).toEqual([
      { field: 'config.pool', message: expect.stringContaining('got an object') },
      { field: 'config.hosts', message: expect.stringContaining('got a list') },
      { field: 'config.missing', message: expect.stringContaining('got null') },
      { field: 'config.ratio', message: 'must be a finite number, got NaN' },
      { field: 'config.limit', message: 'must be a finite number, got Infinity' },
    ]);
  });

  it.each(['', '1replicas', 'with space', 'a/b', 'x'.repeat(129)])('refuses the parameter name %p', (name) => {
    expect(sut({ [name]: 1 })).toEqual([{ field: `config.${name}`, message: expect.stringContaining('parameter names') }]);
  });

  it('uses the given field path', () => {
    expect(sut('nope', 'documents[2].spec.config')).toEqual([{ field: 'documents[2].spec.config', message: "must be an object, got the string 'nope'" }]);
  });
});

describe(configParameterType.name, () => {
  const sut = configParameterType;

  it.each([
    [3, 'number'],
    [0.5, 'number'],
    [true, 'boolean'],
    ['5s', 'duration'],
    ['1m30s', 'duration'],
    ['info', 'string'],
    ['5 s', 'string'],
    ['', 'string'],
  ] as const)('types %p as %p', (value, type) => {
    expect(sut(value)).toBe(type);
  });
});

describe(typedConfigParameter.name, () => {
  const sut = typedConfigParameter;

  it('carries the milliseconds of a duration', () => {
    expect(sut('1m30s')).toEqual({ type: 'duration', value: '1m30s', milliseconds: 90_000 });
  });

  it('keeps other values as they are', () => {
    expect([sut('info'), sut(3), sut(false)]).toEqual([
      { type: 'string', value: 'info' },
      { type: 'number', value: 3 },
      { type: 'boolean', value: false },
    ]);
  });
});

describe(typedConfig.name, () => {
  const sut = typedConfig;

  it('types every parameter of a config', () => {
    expect(sut({ replicas: 3, requestTimeout: '2s' })).toEqual({
      replicas: { type: 'number', value: 3 },
      requestTimeout: { type: 'duration', value: '2s', milliseconds: 2_000 },
    });
  });
});
