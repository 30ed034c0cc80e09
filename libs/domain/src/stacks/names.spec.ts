import { resourceNameProblem } from './names';

describe(resourceNameProblem.name, () => {
  it.each(['checkout', 'a', 'checkout-api-2', 'x'.repeat(63)])('accepts %s', (name) => {
    expect(resourceNameProblem(name)).toBeUndefined();
  });

  it.each([[''], ['Checkout'], ['-api'], ['api-'], ['x'.repeat(64)], ['a b'], ['api_1']])('refuses %j', (name) => {
    expect(resourceNameProblem(name)).toMatch(/^must be 1-63 characters/);
  });

  // A manifest is data: a missing name must not pass as the string "undefined".
  it.each([[undefined], [null], [5], [{}], [['api']]])('refuses a value that is not a string: %j', (value) => {
    expect(resourceNameProblem(value)).toMatch(/^must be 1-63 characters/);
  });
});
