import { unsafeTextReason, unsafeTextViolations } from './unsafe-text';

describe(unsafeTextViolations.name, () => {
  const sut = unsafeTextViolations;

  it('accepts ordinary text, emoji (paired surrogates) and non-string values', () => {
    expect(sut({ name: 'checkout 😀 ünï', count: 3, flag: true, nothing: null, list: ['a', 1] }, 'body')).toEqual([]);
  });

  it('names every field holding NUL or a lone surrogate, however deep', () => {
    expect(sut({ name: 'a\u0000b', environments: [{ name: 'ok' }, { name: '\ud800' }], deep: { x: 'y\udfff' } }, 'body')).toEqual(
      expect.arrayContaining([
        { field: 'body.name', message: 'must not contain U+0000 (NUL)' },
        { field: 'body.environments[1].name', message: 'must not contain a lone UTF-16 surrogate' },
        { field: 'body.deep.x', message: 'must not contain a lone UTF-16 surrogate' },
      ]),
    );
  });

  it('checks object keys too, showing them escaped', () => {
    expect(sut({ 'a\u0000': 1 }, 'query')).toEqual([{ field: 'query.a\\u0000', message: 'its name must not contain U+0000 (NUL)' }]);
  });

  it('checks a bare string under its own name', () => {
    expect(sut('x\u0000', 'path.stack')).toEqual([{ field: 'path.stack', message: 'must not contain U+0000 (NUL)' }]);
  });

  it('walks a value nested far deeper than the call stack allows without overflowing', () => {
    let value: unknown = 'bottom\u0000';
    for (let depth = 0; depth < 100_000; depth++) {
      value = [value];
    }
    expect(sut(value, 'body')).toHaveLength(1);
  });

  it('tells a lone high, a lone low and a paired surrogate apart', () => {
    expect(unsafeTextReason('\ud83d\ude00')).toBeUndefined();
    expect(unsafeTextReason('\ud83d')).toBe('must not contain a lone UTF-16 surrogate');
    expect(unsafeTextReason('\ude00\ud83d')).toBe('must not contain a lone UTF-16 surrogate');
  });
});
