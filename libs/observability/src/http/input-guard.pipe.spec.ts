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
