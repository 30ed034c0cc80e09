import type { ApiPropertyOptions } from '@nestjs/swagger';
import type { JsonSchema } from '@strata/domain';

/**
 * A domain JSON Schema as @ApiProperty options: the document shows the shape and limits the
 * domain validator enforces (their agreement is tested beside each schema).
 */
export function apiSchema(schema: JsonSchema | undefined, extra: Partial<JsonSchema> = {}): ApiPropertyOptions {
  if (!schema) {
    throw new Error('apiSchema: no schema (a property name that is not in the domain schema?)');
  }
  return structuredClone({ ...schema, ...extra }) as unknown as ApiPropertyOptions;
}
