import { DomainError, DomainErrorCode, DomainViolation } from '../errors/domain-error';
import { createComponentTypeRegistry } from './component-types';
import { assertValidComponentVersion, componentTypeViolations, componentVersionViolations } from './component-version-validation';

/** The component versions of /work/shared/examples/checkout-stack.yaml, as the manifest reader hands them over. */
const checkoutStack: Record<string, Record<string, unknown>> = {
  'checkout-db': {
    component: 'checkout-db',
    type: 'db-schema',
    version: '14.1.0',
    dependencies: [],
    config: { statement_timeout: '5s' },
    spec: { up: 'ALTER TABLE orders ADD COLUMN coupon_code text;\n', down: 'ALTER TABLE orders DROP COLUMN coupon_code;\n' },
    rollback: [{ sql: { from: 'down' } }],
    healthCheck: { sql: 'SELECT 1 FROM orders LIMIT 1', timeout: '2s', interval: '10s' },
  },
  'checkout-api': {
    component: 'checkout-api',
    type: 'app',
    version: '2.4.0',
    dependencies: [
      { component: 'checkout-db', range: '>=14.1.0 <15.0.0' },
      { component: 'payments-contract', range: '^3.0.0' },
    ],
    config: { replicas: 3, featureCoupons: true, requestTimeout: '2s' },
    spec: { artifact: 'registry.example.com/checkout-api:2.4.0', port: 8080, versionHeader: 'x-app-version' },
    rollback: [{ routing: { restore: 'previous' } }],
    healthCheck: { url: 'http://{node}/healthz', expectStatus: 200, timeout: '1s', interval: '5s' },
  },
  'payments-contract': {
    component: 'payments-contract',
    type: 'api-contract',
    version: '3.2.0',
    spec: {
      baseUrl: 'https://payments.example.com/v3',
      openapi: { openapi: '3.1.0', info: { title: 'Payments', version: '3.2.0' }, paths: { '/charges': { post: {} } } },
    },
    rollback: [{ event: { type: 'io.strata.contract.pin-previous.v1' } }],
    healthCheck: { url: 'https://payments.example.com/v3/health', expectStatus: 200, timeout: '2s', interval: '30s' },
  },
  'edge-lb': {
    component: 'edge-lb',
    type: 'lb-rule',
    version: '7.0.0',
    dependencies: [{ component: 'checkout-api', range: '^2.0.0' }],
    spec: {
      routes: [
        {
          match: { pathPrefix: '/checkout' },
          to: 'checkout-api',
          retries: { attempts: 1, on: ['connect-failure', '5xx'], idempotentOnly: true },
          stickiness: { cookie: 'strata-affinity' },
        },
      ],
    },
    rollback: [{ routing: { restore: 'previous' } }],
  },
  'checkout-netpol': {
    component: 'checkout-netpol',
    type: 'network-policy',
    version: '5.0.0',
    spec: {
      allow: [
        { from: { header: 'x-caller', values: ['web', 'mobile-bff'] }, to: 'checkout-api' },
        { from: { cidr: '127.0.0.0/8' }, to: 'checkout-api' },
      ],
      default: 'deny',
    },
    rollback: [{ routing: { restore: 'previous' } }],
  },
  infra: {
    component: 'infra',
    type: 'infra-config',
    version: '1.0.0',
    spec: { region: 'eu-west-1', nodePools: [{ name: 'default', size: 3 }] },
  },
};

function fieldsOf(violations: DomainViolation[]): string[] {
  return violations.map((violation) => violation.field);
}

describe(componentVersionViolations.name, () => {
  const types = createComponentTypeRegistry();
  const sut = (candidate: unknown): DomainViolation[] => componentVersionViolations(candidate, types);

  it.each(Object.keys(checkoutStack))('accepts %s of the example manifest', (name) => {
    expect(sut(checkoutStack[name])).toEqual([]);
  });

  it('requires an object', () => {
    expect(sut(null)).toEqual([{ field: '', message: 'a component version must be an object, got null' }]);
  });

  it('requires component, type, version and the spec of the type', () => {
    expect(sut({})).toEqual([
      { field: 'component', message: 'must name the component, got undefined' },
      { field: 'type', message: expect.stringContaining('must name a component type (api-contract, app, db-schema, infra-config, lb-rule, network-policy)') },
      { field: 'version', message: expect.stringContaining('got undefined') },
    ]);
  });

  it('reports every problem of every field at once, with dotted paths', () => {
    const violations = sut({
      ...checkoutStack['checkout-api'],
      component: 'Checkout API',
      version: '2.4',
      dependencies: [{ component: 'checkout-db', range: 'soon' }],
      config: { replicas: [3] },
      rollback: [{ reboot: {} }],
      healthCheck: { url: 'http://{node}/healthz', timeout: '1s' },
      spec: { artifact: 'x', port: 80_000 },
      owner: 'team-checkout',
    });
    expect(fieldsOf(violations)).toEqual([
      'owner',
      'component',
      'version',
      'dependencies[0].range',
      'config.replicas',
      'rollback[0].reboot',
      'healthCheck.interval',
      'spec.port',
    ]);
  });

  it('does not check the spec against an unknown type', () => {
    expect(sut({ ...checkoutStack['checkout-api'], type: 'queue' })).toEqual([{ field: 'type', message: expect.stringContaining("'queue' is not a registered component type") }]);
  });

  it('checks the spec against the declared type', () => {
    expect(fieldsOf(sut({ ...checkoutStack['checkout-api'], type: 'db-schema' }))).toEqual(['spec.artifact', 'spec.port', 'spec.versionHeader', 'spec.up']);
  });

  it('refuses a component depending on itself', () => {
    expect(sut({ ...checkoutStack['edge-lb'], dependencies: [{ component: 'edge-lb', range: '^7.0.0' }] })).toEqual([
      { field: 'dependencies[0].component', message: "a component cannot depend on itself ('edge-lb')" },
    ]);
  });

  it('runs the cross-field checks of the type once the fields are valid', () => {
    const { down: _down, ...upOnly } = checkoutStack['checkout-db']['spec'] as Record<string, unknown>;
    expect(sut({ ...checkoutStack['checkout-db'], spec: upOnly })).toEqual([
      { field: 'rollback[0].sql.from', message: 'runs the down migration, but spec.down is not given' },
    ]);
  });

  it('validates a type registered by a plugin like a built-in one', () => {
    const withPlugin = createComponentTypeRegistry().register({
      name: 'feature-flag',
      description: 'flags',
      specViolations: (spec, field) => (spec === undefined ? [{ field, message: 'is required' }] : []),
      versionViolations: (version) => (version.rollback.length === 0 ? [{ field: 'rollback', message: 'a flag change must say how to undo it' }] : []),
    });
    const candidate = { component: 'checkout-flags', type: 'feature-flag', version: '1.0.0' };
    expect(componentVersionViolations(candidate, withPlugin)).toEqual([{ field: 'spec', message: 'is required' }]);
    expect(componentVersionViolations({ ...candidate, spec: {} }, withPlugin)).toEqual([{ field: 'rollback', message: 'a flag change must say how to undo it' }]);
  });
});

describe(componentTypeViolations.name, () => {
  const types = createComponentTypeRegistry();

  it('accepts a registered type and refuses others', () => {
    expect(componentTypeViolations('lb-rule', types)).toEqual([]);
    expect(componentTypeViolations('lb', types)).toEqual([{ field: 'type', message: expect.stringContaining("'lb' is not a registered component type") }]);
    expect(componentTypeViolations(7, types, 'spec.type')).toEqual([{ field: 'spec.type', message: expect.stringContaining('got number 7') }]);
  });
});

describe(assertValidComponentVersion.name, () => {
  const types = createComponentTypeRegistry();

  it('returns the version with absent dependencies, config and rollback made empty', () => {
    const sut = assertValidComponentVersion(checkoutStack['infra'], types);
    expect(sut).toEqual({ ...checkoutStack['infra'], dependencies: [], config: {}, rollback: [] });
    expect('healthCheck' in sut).toBe(false);
  });

  it('keeps every given field', () => {
    expect(assertValidComponentVersion(checkoutStack['checkout-api'], types)).toEqual(checkoutStack['checkout-api']);
  });

  it('throws an invalid-input error naming the version and carrying every violation', () => {
    let caught: unknown;
    try {
      assertValidComponentVersion({ ...checkoutStack['checkout-api'], config: { replicas: null }, spec: {} }, types);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DomainError);
    expect((caught as DomainError).code).toBe(DomainErrorCode.InvalidInput);
    expect((caught as DomainError).message).toBe('checkout-api@2.4.0 is invalid');
    expect(fieldsOf([...(caught as DomainError).violations])).toEqual(['config.replicas', 'spec.artifact', 'spec.port']);
  });

  it('names an unidentifiable candidate generically', () => {
    expect(() => assertValidComponentVersion(42, types)).toThrow('component version is invalid');
  });
});
