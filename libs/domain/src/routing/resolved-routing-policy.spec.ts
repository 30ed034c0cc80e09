import { DomainError } from '../errors/domain-error';
import { DEFAULT_OUTLIER_DETECTION, DEFAULT_RETRY_BUDGET, parseResolvedRoutingPolicy, resolvedRoutingPolicyViolations } from './routing-policy';
import { buildRoutingPolicy } from '../test-support/routing-policy.factory';

/** A config as it arrives over the wire: any shape at all. */
function withField(path: string, value: unknown): unknown {
  const config = JSON.parse(JSON.stringify(buildRoutingPolicy())) as Record<string, unknown>;
  const keys = path.split('.');
  let target = config as Record<string, unknown>;
  for (const key of keys.slice(0, -1)) {
    target = target[key] as Record<string, unknown>;
  }
  target[keys[keys.length - 1]] = value;
  return config;
}

function fieldsOf(value: unknown): string[] {
  return resolvedRoutingPolicyViolations(value).map((violation) => violation.field);
}

describe(resolvedRoutingPolicyViolations.name, () => {
  it('accepts a valid config', () => {
    expect(resolvedRoutingPolicyViolations(buildRoutingPolicy())).toEqual([]);
  });

  it('accepts every optional part when valid', () => {
    const sut = buildRoutingPolicy({
      rules: [
        { match: { header: 'x-canary', value: 'true' }, stackConfig: 'v2' },
        { match: { cookie: 'beta', value: '1' }, stackConfig: 'v2' },
        { match: { pathPrefix: '/new' }, stackConfig: 'v2' },
      ],
      stickiness: { cookie: 'session' },
      mirror: { stackConfig: 'v2', sampleRate: 0.1 },
      networkPolicy: { allow: [{ from: { cidr: '10.0.0.0/8' }, to: 'checkout' }] },
      healthCheck: { path: '/healthz', intervalMs: 1_000 },
    });

    expect(resolvedRoutingPolicyViolations(sut)).toEqual([]);
  });

  it.each([null, [], 'config', 3])('refuses %j as a whole', (value) => {
    expect(fieldsOf(value)).toEqual(['']);
  });

  it('returns every violation at once, each with its path', () => {
    const config = withField('stableConfig', 'v9') as Record<string, unknown>;
    config['component'] = 'Not A Name';
    config['retryBudget'] = { ratio: 2, minRetriesPerSecond: -1 };
    config['colour'] = 'blue';

    expect(fieldsOf(config).sort()).toEqual(['colour', 'component', 'retryBudget.minRetriesPerSecond', 'retryBudget.ratio', 'stableConfig']);
  });

  it.each([
    ['stackConfigs', []],
    ['stackConfigs', 'v1'],
    ['stackConfigs.0.weight', -1],
    ['stackConfigs.0.weight', '90'],
    ['stackConfigs.0.name', ''],
    ['stackConfigs.1.name', 'v1'],
    ['stackConfigs.0.nodes', []],
    ['stackConfigs.0.nodes.0.url', 'http://127.0.0.1:8081/path'],
    ['stackConfigs.0.nodes.0.url', 'ftp://host'],
    // Shaped like an origin, but no connection pool can be opened to them.
    ['stackConfigs.0.nodes.0.url', 'http://127.0.0.1:99999'],
    ['stackConfigs.0.nodes.0.url', 'http://127.0.0.1:0'],
    ['stackConfigs.0.nodes.0.url', 'http://127.0.0.1:'],
    ['stackConfigs.0.nodes.0.url', 'http://[::1'],
    ['stackConfigs.0.nodes.0.url', 'http://:8080'],
    ['stackConfigs.0.nodes.0.url', 'http://user:secret@127.0.0.1:8080'],
    ['stackConfigs.1.nodes.0.id', 'v1-a'],
    ['stackConfigs.0.nodes.0.version', ''],
  ])('refuses %s = %j', (path, value) => {
    const expectedField = path
      .split('.')
      .map((part) => (/^\d+$/.test(part) ? `[${part}]` : `.${part}`))
      .join('')
      .slice(1);

    expect(fieldsOf(withField(path, value))).toContain(expectedField.replace(/^\./, ''));
  });

  it.each(['http://10.0.0.5:8080', 'https://api.internal', 'http://[::1]:8080', 'http://backend-1:65535'])('accepts the node origin %s', (url) => {
    expect(fieldsOf(withField('stackConfigs.0.nodes.0.url', url))).toEqual([]);
  });

  it('refuses weights that add up to 0', () => {
    const sut = buildRoutingPolicy();
    sut.stackConfigs.forEach((stackConfig) => (stackConfig.weight = 0));

    expect(fieldsOf(sut)).toEqual(['stackConfigs']);
  });

  it('accepts a weight of 0 for one config (a staging config reached by rules or mirroring)', () => {
    const sut = buildRoutingPolicy();
    sut.stackConfigs[1].weight = 0;

    expect(fieldsOf(sut)).toEqual([]);
  });

  it.each([
    [{ match: { header: 'x-canary', value: 'true' }, stackConfig: 'v9' }, 'rules[0].stackConfig'],
    [{ match: { header: 'bad header', value: 'true' }, stackConfig: 'v2' }, 'rules[0].match.header'],
    [{ match: { cookie: 'beta', value: '' }, stackConfig: 'v2' }, 'rules[0].match.value'],
    [{ match: { pathPrefix: 'new' }, stackConfig: 'v2' }, 'rules[0].match.pathPrefix'],
    [{ match: { pathPrefix: '/a', header: 'x' }, stackConfig: 'v2' }, 'rules[0].match'],
    [{ match: {}, stackConfig: 'v2' }, 'rules[0].match'],
    [{ match: { pathPrefix: '/a' }, stackConfig: 'v2', priority: 1 }, 'rules[0].priority'],
  ])('refuses the rule %j', (rule, field) => {
    expect(fieldsOf(withField('rules', [rule]))).toEqual([field]);
  });

  it('refuses rules that are not a list', () => {
    expect(fieldsOf(withField('rules', {}))).toEqual(['rules']);
  });

  it.each([
    [{}, 'stickiness'],
    [{ header: 'x-user', cookie: 'session' }, 'stickiness'],
    [{ header: 'x user' }, 'stickiness.header'],
  ])('refuses the stickiness %j', (stickiness, field) => {
    expect(fieldsOf(withField('stickiness', stickiness))).toEqual([field]);
  });

  it.each([
    [{ stackConfig: 'v9', sampleRate: 0.1 }, ['mirror.stackConfig']],
    [{ stackConfig: 'v2', sampleRate: 1.5 }, ['mirror.sampleRate']],
    [{ stackConfig: 'v1', sampleRate: 0.1 }, ['mirror.stackConfig']],
    [{ stackConfig: 'v1', sampleRate: 0.1, nodeWeights: { a: 0 } }, ['mirror.nodeWeights']],
    [{ stackConfig: 'v2', sampleRate: 0.1, nodeWeights: { a: -5 } }, ['mirror.nodeWeights["a"]']],
  ])('refuses the mirror %j', (mirror, fields) => {
    expect(fieldsOf(withField('mirror', mirror))).toEqual(fields);
  });

  it('accepts a mirror to the stable config with its own node weights (proposed weights tried on copies)', () => {
    expect(fieldsOf(withField('mirror', { stackConfig: 'v1', sampleRate: 0.1, nodeWeights: { a: 80, b: 20 } }))).toEqual([]);
  });

  it('refuses a network policy with a bad CIDR, naming the field', () => {
    expect(fieldsOf(withField('networkPolicy', { allow: [{ from: { cidr: '10.0.0.1/8' }, to: 'checkout' }] }))).toEqual(['networkPolicy.allow[0].from.cidr']);
  });

  it.each([
    [{ consecutiveFailures: 0, baseEjectionMs: 1_000, maxEjectionMs: 2_000 }, ['outlierDetection.consecutiveFailures']],
    [{ consecutiveFailures: 3, baseEjectionMs: 5_000, maxEjectionMs: 2_000 }, ['outlierDetection.maxEjectionMs']],
    [{ consecutiveFailures: 3, baseEjectionMs: 1.5, maxEjectionMs: 2_000 }, ['outlierDetection.baseEjectionMs']],
  ])('refuses the outlier detection %j', (outlier, fields) => {
    expect(fieldsOf(withField('outlierDetection', outlier))).toEqual(fields);
  });

  it.each([
    [{ path: 'healthz', intervalMs: 1_000 }, ['healthCheck.path']],
    [{ path: '/health check', intervalMs: 1_000 }, ['healthCheck.path']],
    [{ path: '/santé', intervalMs: 1_000 }, ['healthCheck.path']],
    [{ path: '/healthz', intervalMs: 10 }, ['healthCheck.intervalMs']],
  ])('refuses the health check %j', (check, fields) => {
    expect(fieldsOf(withField('healthCheck', check))).toEqual(fields);
  });
});

describe(parseResolvedRoutingPolicy.name, () => {
  it('fills defaults for the optional settings', () => {
    const { rules: _rules, retryBudget: _budget, outlierDetection: _outlier, ...minimal } = buildRoutingPolicy();

    const sut = parseResolvedRoutingPolicy(minimal);

    expect(sut).toMatchObject({ rules: [], retryBudget: DEFAULT_RETRY_BUDGET, outlierDetection: DEFAULT_OUTLIER_DETECTION });
  });

  it('throws an invalid-input error carrying the violations', () => {
    const attempt = (): unknown => parseResolvedRoutingPolicy(withField('stableConfig', 'v9'));

    expect(attempt).toThrow(DomainError);
    expect(attempt).toThrow(expect.objectContaining({ violations: [expect.objectContaining({ field: 'stableConfig' })] }));
  });
});
