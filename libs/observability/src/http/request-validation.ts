import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainViolation } from '@strata/domain';
import { UnprocessableInputException } from './json-body';

/** A request body, query or path parameter that failed its DTO's rules; carries every field. */
export class RequestValidationException extends BadRequestException {
  constructor(readonly violations: DomainViolation[]) {
    super(`request is invalid: ${violations.map((violation) => violation.field).join(', ')}`);
  }
}

/**
 * Rules a well-typed value breaks by its size alone (a number beyond its column's range, a limit
 * of 10^20): the request is well-formed but cannot be processed, a 422, as the issue of a value
 * out of range is answered everywhere else. Shape and type errors stay a 400.
 */
const RANGE_CONSTRAINTS: ReadonlySet<string> = new Set(['min', 'max']);

interface ConstraintViolation extends DomainViolation {
  constraint: string;
}

function constraintViolations(errors: readonly ValidationError[], parent = ''): ConstraintViolation[] {
  return errors.flatMap((error) => {
    const field = /^\d+$/.test(error.property) ? `${parent}[${error.property}]` : parent ? `${parent}.${error.property}` : error.property;
    // A field left out breaks every rule it has ("must be shorter than 63 characters", "must be a
    // string"): one line that says it is missing reads better than a list that seems to describe a value.
    const missing = Object.hasOwn(error, 'value') && error.value === undefined && error.constraints !== undefined;
    const own = missing
      ? [{ field, message: 'is required', constraint: 'isDefined' }]
      : Object.entries(error.constraints ?? {}).map(([constraint, message]) => ({ field, message, constraint }));
    return [...own, ...constraintViolations(error.children ?? [], field)];
  });
}

export function flattenValidationErrors(errors: readonly ValidationError[], parent = ''): DomainViolation[] {
  return constraintViolations(errors, parent).map(({ field, message }) => ({ field, message }));
}

/** 422 when every broken rule is a range, 400 otherwise; both name every field. */
export function validationException(errors: readonly ValidationError[]): RequestValidationException | UnprocessableInputException {
  const violations = constraintViolations(errors);
  const fields = violations.map(({ field, message }) => ({ field, message }));
  return violations.length > 0 && violations.every((violation) => RANGE_CONSTRAINTS.has(violation.constraint))
    ? new UnprocessableInputException(fields, `request is out of range: ${fields.map((violation) => `${violation.field} ${violation.message}`).join('; ')}`)
    : new RequestValidationException(fields);
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => validationException(errors),
  });
}
