import { ValidationError } from 'class-validator';
import { flattenValidationErrors } from './request-validation';

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
});
