import { lbRuleSpecViolations } from './lb-rule-spec';

const route = { match: { pathPrefix: '/checkout' }, to: 'checkout-api' };

describe(lbRuleSpecViolations.name, () => {
  const sut = (spec: unknown) => lbRuleSpecViolations(spec, 'spec');

  it('accepts the route of the example manifest', () => {
    expect(
      sut({
        routes: [
          {
            ...route,
            retries: { attempts: 1, on: ['connect-failure', '5xx'], idempotentOnly: true },
            stickiness: { cookie: 'strata-affinity' },
          },
        ],
      }),
    ).toEqual([]);
  });

  it('accepts per-node weights beside the routes', () => {
    expect(sut({ routes: [route], nodeWeights: { '10.0.0.5:8080': 80, '10.0.0.6:8080': 20, '10.0.0.7:8080': 0 } })).toEqual([]);
  });

  it('refuses node weights that are negative, not numbers, all 0 or not a map, naming the field', () => {
    expect(sut({ routes: [route], nodeWeights: { '10.0.0.5:8080': -1, '10.0.0.6:8080': 'heavy' } })).toEqual([
      { field: 'spec.nodeWeights["10.0.0.5:8080"]', message: expect.stringContaining('cannot be negative') },
      { field: 'spec.nodeWeights["10.0.0.6:8080"]', message: "must be a number from 0 to 1000000, got the string 'heavy'" },
    ]);
    expect(sut({ routes: [route], nodeWeights: { a: 0 } })).toEqual([{ field: 'spec.nodeWeights', message: expect.stringContaining('at least one node must have a weight above 0') }]);
    expect(sut({ routes: [route], nodeWeights: [80, 20] })).toEqual([{ field: 'spec.nodeWeights', message: expect.stringContaining('must be an object of node id → weight') }]);
  });

  it('accepts every match criterion together', () => {
    expect(
      sut({
        routes: [{ match: { path: '/checkout/pay', host: 'shop.example.com', method: 'POST', header: { name: 'x-beta', value: '1' }, cookie: { name: 'cohort', value: 'b' } }, to: 'checkout-api' }],
      }),
    ).toEqual([]);
  });

  it('accepts routes sharing a match whose weights add up to 100', () => {
    expect(sut({ routes: [{ ...route, weight: 90 }, { ...route, to: 'checkout-api-next', weight: 10 }, { match: { pathPrefix: '/' }, to: 'storefront' }] })).toEqual([]);
  });

  it('treats matches with the same criteria in another key order as the same match', () => {
    const match = { pathPrefix: '/checkout', method: 'POST' };
    const reordered = { method: 'POST', pathPrefix: '/checkout' };
    expect(sut({ routes: [{ match, to: 'a', weight: 50 }, { match: reordered, to: 'b', weight: 40 }] })).toEqual([
      { field: 'spec.routes[0].weight', message: 'routes with the same match (spec.routes[0], spec.routes[1]) have weights adding up to 90; they must add up to 100' },
    ]);
  });

  it.each([
    [[{ ...route, weight: 50 }], 50],
    [[route, { ...route, to: 'b', weight: 10 }], 110],
    [[{ ...route, weight: 0 }], 0],
  ])('refuses weights that do not account for all traffic: %p', (routes, total) => {
    expect(sut({ routes })).toEqual([{ field: 'spec.routes[0].weight', message: expect.stringContaining(`adding up to ${total}`) }]);
  });

  it.each([-1, 101, 12.5, '50'])('refuses the weight %p', (weight) => {
    expect(sut({ routes: [{ ...route, weight }] })).toEqual([{ field: 'spec.routes[0].weight', message: expect.stringContaining('must be an integer from 0 to 100') }]);
  });

  it.each([[], undefined, {}])('requires at least one route: %p', (routes) => {
    expect(sut({ routes })).toEqual([{ field: 'spec.routes', message: expect.stringContaining('must be a non-empty list of routes') }]);
  });

  it('requires a match with at least one known criterion', () => {
    expect(sut({ routes: [{ match: {}, to: 'a' }, { match: { query: 'x' }, to: 'a' }, { to: 'a' }] })).toEqual([
      { field: 'spec.routes[0].match', message: 'must hold at least one criterion: pathPrefix, path, host, method, header, cookie' },
      { field: 'spec.routes[1].match.query', message: expect.stringContaining('is not a known field') },
      { field: 'spec.routes[1].match', message: expect.stringContaining('must hold at least one criterion') },
      { field: 'spec.routes[2].match', message: 'must be an object, got undefined' },
    ]);
  });

  it('checks each criterion', () => {
    expect(
      sut({ routes: [{ match: { pathPrefix: 'checkout', path: 7, host: '', method: 'post', header: { name: 'x beta' }, cookie: 'cohort=b' }, to: 'a' }] }).map(
        (violation) => violation.field,
      ),
    ).toEqual([
      'spec.routes[0].match.pathPrefix',
      'spec.routes[0].match.path',
      'spec.routes[0].match.host',
      'spec.routes[0].match.method',
      'spec.routes[0].match.header.name',
      'spec.routes[0].match.header.value',
      'spec.routes[0].match.cookie',
    ]);
  });

  it('checks target, retries and stickiness', () => {
    expect(
      sut({ routes: [{ match: { path: '/' }, to: 'Checkout', retries: { attempts: 9, on: ['5xx', 'always'], idempotentOnly: 'yes', backoff: '1s' }, stickiness: { cookie: '' } }] }),
    ).toEqual([
      { field: 'spec.routes[0].to', message: expect.stringContaining('lowercase') },
      { field: 'spec.routes[0].retries.backoff', message: 'is not a known field; expected one of attempts, on, idempotentOnly' },
      { field: 'spec.routes[0].retries.attempts', message: 'must be an integer from 0 to 5, got number 9' },
      { field: 'spec.routes[0].retries.on[1]', message: "must be one of connect-failure, reset, timeout, 5xx, gateway-error, got the string 'always'" },
      { field: 'spec.routes[0].retries.idempotentOnly', message: "must be true or false, got the string 'yes'" },
      { field: 'spec.routes[0].stickiness.cookie', message: expect.stringContaining('must be an HTTP token') },
    ]);
  });

  it('requires retry conditions', () => {
    expect(sut({ routes: [{ ...route, retries: { attempts: 1, on: [] } }] })).toEqual([{ field: 'spec.routes[0].retries.on', message: expect.stringContaining('must list when to retry') }]);
  });

  it.each([
    ['spec', 'routes'],
    ['spec.routes[0]', { routes: ['checkout-api'] }],
    ['spec.routes[0].retries', { routes: [{ ...route, retries: 3 }] }],
    ['spec.routes[0].stickiness', { routes: [{ ...route, stickiness: true }] }],
    ['spec.routes[0].match.header', { routes: [{ ...route, match: { header: 'x-beta' } }] }],
  ])('requires %s to be an object', (field, spec) => {
    expect(sut(spec)).toEqual([{ field, message: expect.stringMatching(/^must be an object, got /) }]);
  });

  it('leaves the weights of a match JSON cannot hold to the match check', () => {
    expect(sut({ routes: [{ match: { path: '/', host: Number.NaN }, to: 'a', weight: 50 }] })).toEqual([
      { field: 'spec.routes[0].match.host', message: 'must be a non-blank string, got number NaN' },
    ]);
  });

  it('refuses unknown route fields', () => {
    expect(sut({ routes: [{ ...route, timeout: '1s' }], default: 'a' }).map((violation) => violation.field)).toEqual(['spec.default', 'spec.routes[0].timeout']);
  });
});
