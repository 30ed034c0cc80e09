import { ROLES, isRole, roleBelow, roleSatisfies } from './roles';

describe(roleSatisfies.name, () => {
  const sut = roleSatisfies;

  it.each([
    ['viewer', 'viewer', true],
    ['viewer', 'operator', false],
    ['viewer', 'admin', false],
    ['operator', 'viewer', true],
    ['operator', 'operator', true],
    ['operator', 'admin', false],
    ['admin', 'viewer', true],
    ['admin', 'operator', true],
    ['admin', 'admin', true],
  ] as const)('%s held, %s required: %s', (held, required, expected) => {
    expect(sut(held, required)).toBe(expected);
  });
});

describe(roleBelow.name, () => {
  it('names the role just under the required one, none under viewer', () => {
    expect(roleBelow('admin')).toBe('operator');
    expect(roleBelow('operator')).toBe('viewer');
    expect(roleBelow('viewer')).toBeUndefined();
  });
});

describe(isRole.name, () => {
  it('accepts the three roles only', () => {
    expect(ROLES.every(isRole)).toBe(true);
    expect(isRole('root')).toBe(false);
    expect(isRole(undefined)).toBe(false);
  });
});
