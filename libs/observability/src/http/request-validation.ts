import { BadRequestException, ValidationError, ValidationPipe } from '@nestjs/common';
import { DomainViolation } from '@strata/domain';

/** A request body, query or path parameter that failed its DTO's rules; carries every field. */
export class RequestValidationException extends BadRequestException {
  constructor(readonly violations: DomainViolation[]) {
    super(`request is invalid: ${violations.map((violation) => violation.field).join(', ')}`);
  }
}

export function flattenValidationErrors(errors: readonly ValidationError[], parent = ''): DomainViolation[] {
  return errors.flatMap((error) => {
    const field = /^\d+$/.test(error.property) ? `${parent}[${error.property}]` : parent ? `${parent}.${error.property}` : error.property;
    const own = Object.values(error.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flattenValidationErrors(error.children ?? [], field)];
  });
}

export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    exceptionFactory: (errors) => new RequestValidationException(flattenValidationErrors(errors)),
  });
}
