import { UnprocessableInputException } from './json-body';
import { IntegerParamPipe } from './integer-param.pipe';
import { RequestValidationException } from './request-validation';

describe(IntegerParamPipe.name, () => {
  const sut = new IntegerParamPipe();
  const path = { type: 'param' as const, data: 'version' };

  it('parses a whole number in range', () => {
    expect(sut.transform('1', path)).toBe(1);
    expect(sut.transform('2147483647', path)).toBe(2_147_483_647);
  });

  it.each(['abc', '1.5', '1e3', '', ' 1', '0x10', '1'.repeat(31)])('refuses %j as not a whole number (400), naming the parameter', (value) => {
    expect(() => sut.transform(value, path)).toThrow(RequestValidationException);
    expect(() => sut.transform(value, path)).toThrow(expect.objectContaining({ violations: [{ field: 'path.version', message: 'must be a whole number' }] }));
  });

  it.each(['0', '-1', '2147483648', '99999999999999999999'])('refuses %s as out of range (422), naming the parameter', (value) => {
    expect(() => sut.transform(value, path)).toThrow(UnprocessableInputException);
    expect(() => sut.transform(value, { type: 'query', data: 'n' })).toThrow(expect.objectContaining({ violations: [{ field: 'query.n', message: 'must be from 1 to 2147483647' }] }));
  });
});
