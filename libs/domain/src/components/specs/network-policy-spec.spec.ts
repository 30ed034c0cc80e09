import { networkPolicySpecViolations } from './network-policy-spec';

describe(networkPolicySpecViolations.name, () => {
  const sut = (spec: unknown) => networkPolicySpecViolations(spec, 'spec');

  it('accepts the policy of the example manifest', () => {
    expect(
      sut({
        allow: [
          { from: { header: 'x-caller', values: ['web', 'mobile-bff'] }, to: 'checkout-api' },
          { from: { cidr: '127.0.0.0/8' }, to: 'checkout-api' },
          { from: { component: 'edge-lb' }, to: 'checkout-api' },
        ],
        default: 'deny',
      }),
    ).toEqual([]);
  });

  it('accepts an empty allow list, which denies everything', () => {
    expect(sut({ allow: [] })).toEqual([]);
  });

  it('requires the allow list and a known default', () => {
    expect(sut({ default: 'block' })).toEqual([
      { field: 'spec.default', message: "must be 'deny' or 'allow', got the string 'block'" },
      { field: 'spec.allow', message: 'must be a list of at most 500 {from, to} rules, got undefined' },
    ]);
  });

  it.each([{}, { cidr: '10.0.0.0/8', component: 'edge-lb' }])('needs exactly one way to name the caller: %p', (from) => {
    expect(sut({ allow: [{ from, to: 'checkout-api' }] })).toEqual([{ field: 'spec.allow[0].from', message: 'must hold exactly one of header, cidr, component' }]);
  });

  it('checks each kind of caller', () => {
    expect(
      sut({
        allow: [
          { from: { header: 'x caller', values: [] }, to: 'checkout-api' },
          { from: { cidr: '10.0.0.1/8' }, to: 'checkout-api' },
          { from: { component: 'Edge' }, to: 'checkout-api' },
          { from: { header: 'x-caller', values: ['web'], cidr: undefined, port: 1 }, to: 'checkout-api' },
        ],
      }),
    ).toEqual([
      { field: 'spec.allow[0].from.header', message: expect.stringContaining('HTTP token') },
      { field: 'spec.allow[0].from.values', message: 'must be a list of 1 to 100 non-empty strings of at most 1024 characters, got a list' },
      { field: 'spec.allow[1].from.cidr', message: "'10.0.0.1/8' has host bits set; the block starts at a lower address" },
      { field: 'spec.allow[2].from.component', message: expect.stringContaining('lowercase') },
      { field: 'spec.allow[3].from', message: 'must hold exactly one of header, cidr, component' },
    ]);
  });

  it.each([
    ['spec', 'deny'],
    ['spec.allow[0].from', { allow: [{ from: '10.0.0.0/8', to: 'checkout-api' }] }],
  ])('requires %s to be an object', (field, spec) => {
    expect(sut(spec)).toEqual([{ field, message: expect.stringMatching(/^must be an object, got /) }]);
  });

  it('requires a component as target and refuses unknown fields', () => {
    expect(sut({ allow: [{ from: { cidr: '10.0.0.0/8' }, to: ['checkout-api'], ports: [8080] }, 'any'] })).toEqual([
      { field: 'spec.allow[0].ports', message: 'is not a known field; expected one of from, to' },
      { field: 'spec.allow[0].to', message: 'must name a component, got a list' },
      { field: 'spec.allow[1]', message: "must be an object, got the string 'any'" },
    ]);
  });
});
