import { UnsupportedMediaTypeException } from '@nestjs/common';
import { InputGuardPipe } from './input-guard.pipe';
import { UnprocessableInputException } from './json-body';

class CreateThingDto {
  name!: string;
}

describe(InputGuardPipe.name, () => {
  const sut = new InputGuardPipe();

  it('passes ordinary input through unchanged', () => {
    const body = { name: 'checkout', list: [1, 'two'] };
    expect(sut.transform(body, { type: 'body', metatype: CreateThingDto })).toBe(body);
    expect(sut.transform('manifest: yes', { type: 'body', metatype: String })).toBe('manifest: yes');
  });

  it('refuses a path parameter or query value longer than any route takes, naming it, and passes one at the limit', () => {
    expect(() => sut.transform('a'.repeat(257), { type: 'param', data: 'stack' })).toThrow(expect.objectContaining({ violations: [{ field: 'path.stack', message: 'must be at most 256 characters' }] }));
    expect(() => sut.transform({ after: 'c'.repeat(2_001), limit: '5' }, { type: 'query' })).toThrow(expect.objectContaining({ violations: [{ field: 'query.after', message: 'must be at most 2000 characters' }] }));
    expect(() => sut.transform({ label: ['x', 'y'.repeat(2_001)] }, { type: 'query' })).toThrow(UnprocessableInputException);
    expect(sut.transform('a'.repeat(256), { type: 'param', data: 'stack' })).toBe('a'.repeat(256));
    expect(sut.transform({ body: 'b'.repeat(10_000) }, { type: 'body', metatype: CreateThingDto })).toEqual({ body: 'b'.repeat(10_000) });
  });

  it.each([
    ['path parameter', 'a\u0000b', { type: 'param' as const, data: 'stack' }, 'path.stack'],
    ['query object', { limit: '5', stack: '\ud800' }, { type: 'query' as const }, 'query.stack'],
    ['body field', { environments: [{ name: 'x\u0000' }] }, { type: 'body' as const, metatype: CreateThingDto }, 'body.environments[0].name'],
  ])('refuses NUL or a lone surrogate in a %s with 422 naming the field', (_, value, metadata, field) => {
    try {
      sut.transform(value, metadata);
      throw new Error('not refused');
    } catch (error) {
      expect(error).toBeInstanceOf(UnprocessableInputException);
      expect((error as UnprocessableInputException).violations.map((violation) => violation.field)).toEqual([field]);
    }
  });

  it('refuses a DTO body that arrived as text (a non-JSON content type) with 415', () => {
    expect(() => sut.transform('{"name":"x"}', { type: 'body', metatype: CreateThingDto })).toThrow(UnsupportedMediaTypeException);
  });
});
