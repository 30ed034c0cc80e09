import { ValidationError } from 'class-validator';
import { flattenValidationErrors, RequestValidationException, validationException } from './request-validation';
import { UnprocessableInputException } from './json-body';

function validationError(property: string, constraints: Record<string, string> | undefined, children: ValidationError[] = []): ValidationError {
  return Object.assign(new ValidationError(), { property, constraints, children });
}

describe(flattenValidationErrors.name, () => {
  const sut = flattenValidationErrors;

  it('names top-level fields', () => {
    expect(sut([validationError('name', { isString: 'name must be a string' })])).toEqual([
      { field: 'name', message: 'name must be a string' },
    ]);
  });

  it('names nested and indexed fields', () => {
    const errors = [
      validationError('environments', undefined, [
        validationError('1', undefined, [validationError('mirrors', { isString: 'mirrors must be a string' })]),
      ]),
    ];
    expect(sut(errors)).toEqual([{ field: 'environments[1].mirrors', message: 'mirrors must be a string' }]);
  });

  it('keeps every constraint of a field', () => {
    expect(sut([validationError('name', { a: 'first', b: 'second' })])).toHaveLength(2);
  });

  it('says a field left out is required, rather than listing every rule its absence breaks', () => {
    const missing = Object.assign(validationError('stack', { isString: 'stack must be a string', maxLength: 'stack must be shorter than or equal to 63 characters' }), { value: undefined });
    expect(sut([missing])).toEqual([{ field: 'stack', message: 'is required' }]);
  });

  it('lists every rule a value present breaks, null included', () => {
    const present = Object.assign(validationError('stack', { isString: 'stack must be a string', maxLength: 'too long' }), { value: null });
    expect(sut([present])).toHaveLength(2);
  });
});

describe(validationException.name, () => {
  const error = (property: string, constraints: Record<string, string>): ValidationError => Object.assign(new ValidationError(), { property, constraints, children: [] });

  it('is a 422 when every broken rule is a range, naming each field', () => {
    const refused = validationException([error('limit', { max: 'limit must not be greater than 500' })]);
    expect(refused).toBeInstanceOf(UnprocessableInputException);
    expect(refused.violations).toEqual([{ field: 'limit', message: 'limit must not be greater than 500' }]);
  });

  it('is a 400 when a rule of shape or type is broken too', () => {
    const refused = validationException([error('limit', { max: 'limit must not be greater than 500' }), error('after', { isString: 'after must be a string' })]);
    expect(refused).toBeInstanceOf(RequestValidationException);
    expect(refused.violations.map((violation) => violation.field)).toEqual(['limit', 'after']);
  });
});
