import { ArgumentMetadata, Injectable, PipeTransform, UnsupportedMediaTypeException } from '@nestjs/common';
import { DomainViolation, unsafeTextViolations } from '@strata/domain';
import { UnprocessableInputException } from './json-body';

const SOURCE: Record<ArgumentMetadata['type'], string> = { body: 'body', query: 'query', param: 'path', custom: 'input' };

/** The longest path parameter any route takes (names are at most 253, versions 256). */
export const MAX_PATH_PARAMETER_LENGTH = 256;
/** The longest query value any route takes (cursors, label filters, ISO times). */
export const MAX_QUERY_VALUE_LENGTH = 2_000;

/** Path and query strings longer than any route takes: refused here, so no route has to remember. */
function overlongViolations(value: unknown, metadata: ArgumentMetadata, field: string): DomainViolation[] {
  const limit = metadata.type === 'param' ? MAX_PATH_PARAMETER_LENGTH : metadata.type === 'query' ? MAX_QUERY_VALUE_LENGTH : undefined;
  if (limit === undefined) {
    return [];
  }
  const entries: [string, unknown][] = metadata.data || typeof value !== 'object' || value === null ? [[field, value]] : Object.entries(value).map(([name, item]) => [`${field}.${name}`, item]);
  return entries.flatMap(([name, item]) =>
    (Array.isArray(item) ? item : [item]).some((text) => typeof text === 'string' && text.length > limit) ? [{ field: name, message: `must be at most ${limit} characters` }] : [],
  );
}

/**
 * Runs before validation on every handler argument, whatever its DTO says: text no field may hold
 * (NUL, lone surrogates) and path or query values longer than any route takes are refused here
 * with 422 naming the field, so they never reach a query or an event; and a DTO body that arrived as text (a non-JSON content type) is a 415, not a puzzle
 * of missing fields.
 */
@Injectable()
export class InputGuardPipe implements PipeTransform {
  transform(value: unknown, metadata: ArgumentMetadata): unknown {
    if (metadata.type === 'custom') {
      return value;
    }
    const field = metadata.data ? `${SOURCE[metadata.type]}.${metadata.data}` : SOURCE[metadata.type];
    const violations = [...unsafeTextViolations(value, field), ...overlongViolations(value, metadata, field)];
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
