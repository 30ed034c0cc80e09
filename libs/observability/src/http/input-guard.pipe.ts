import { ArgumentMetadata, Injectable, PipeTransform, UnsupportedMediaTypeException } from '@nestjs/common';
import { unsafeTextViolations } from '@strata/domain';
import { UnprocessableInputException } from './json-body';

const SOURCE: Record<ArgumentMetadata['type'], string> = { body: 'body', query: 'query', param: 'path', custom: 'input' };

/**
 * Runs before validation on every handler argument, whatever its DTO says: text no field may hold
 * (NUL, lone surrogates) is refused here with 422 naming the field, so it never reaches a query or
 * an event; and a DTO body that arrived as text (a non-JSON content type) is a 415, not a puzzle
 * of missing fields.
 */
@Injectable()
export class InputGuardPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') {
      return value;
    }
    const field = metadata.data ? `${SOURCE[metadata.type]}.${metadata.data}` : SOURCE[metadata.type];
    const violations = unsafeTextViolations(value, field);
    if (violations.length > 0) {
      throw new UnprocessableInputException(violations);
    }
    if (metadata.type === 'body' && !metadata.data && typeof value === 'string' && isDto(metadata.metatype)) {
      throw new UnsupportedMediaTypeException('this request body must be JSON (Content-Type: application/json)');
    }
    return value;
  }
}

function isDto(metatype: ArgumentMetadata['metatype']): boolean {
  return metatype !== undefined && ![String, Object, Buffer, Array, Number, Boolean].includes(metatype as never);
}
