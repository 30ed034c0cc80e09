import { fieldsThatMustBeNamed, namesOneOf, normaliseField } from './expected-fields';

const request = (attack: string) => ({ method: 'POST', path: '/', route: 'POST /', attack, headers: {} });

describe('the fields a hostile request must be answered with', () => {
  it('normalises the ways a field is written', () => {
    expect(normaliseField('body.environments[0].name')).toBe('environments.0.name');
    expect(normaliseField('environments.0.name')).toBe('environments.0.name');
    expect(normaliseField('path.stack')).toBe('stack');
    expect(normaliseField('body')).toBe('');
  });

  it('expects the field of each always-refused value, and none for values a field may legitimately hold', () => {
    expect(fieldsThatMustBeNamed(request('path.stack=encoded-NUL body=plausible'))).toEqual(['stack']);
    expect(fieldsThatMustBeNamed(request('body.environments.0.name=lone-high-surrogate'))).toEqual(['environments.0.name']);
    expect(fieldsThatMustBeNamed(request('body.name=duplicate-key'))).toEqual(['name']);
    expect(fieldsThatMustBeNamed(request('path.stack=encoded-lone-surrogate'))).toEqual(['stack']);
    expect(fieldsThatMustBeNamed(request('query.stack=encoded-lone-surrogate'))).toEqual([]);
    // Two defects: either may be the one answered.
    expect(fieldsThatMustBeNamed(request('path.stack=encoded-NUL body.environments.0.name=lone-high-surrogate'))).toEqual([]);
    expect(fieldsThatMustBeNamed(request('body.weight=huge'))).toEqual([]);
    expect(fieldsThatMustBeNamed(request('body=nested-33'))).toEqual([]);
  });

  it('accepts the field itself, one inside it or the object around it, and nothing else', () => {
    expect(namesOneOf([{ field: 'body.environments[0].name' }], ['environments.0.name'])).toBe(true);
    expect(namesOneOf([{ field: 'environments' }], ['environments.0.name'])).toBe(true);
    expect(namesOneOf([{ field: 'labels.x' }], ['labels'])).toBe(true);
    expect(namesOneOf([{ field: 'name' }], ['environments.0.name'])).toBe(false);
    expect(namesOneOf([], ['name'])).toBe(false);
  });
});
