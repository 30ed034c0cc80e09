/**
 * A JSON Schema (draft 2020-12 / OpenAPI 3.1 subset) as plain data: the domain's validators are
 * the rules, these schemas state the same shapes and limits for the API document, and a unit test
 * per schema checks the two agree on a corpus (`*.schema.spec.ts`).
 */
export interface JsonSchema {
  type?: 'object' | 'array' | 'string' | 'integer' | 'number' | 'boolean';
  description?: string;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  minProperties?: number;
  maxProperties?: number;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  enum?: readonly (string | number)[];
  oneOf?: JsonSchema[];
  example?: unknown;
  default?: unknown;
}

/** A name of a stack, environment or component (names.ts). */
export const RESOURCE_NAME_SCHEMA: JsonSchema = { type: 'string', minLength: 1, maxLength: 63, pattern: '^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$' };
/** An HTTP token: a header or cookie name (validation.ts). */
export const HTTP_TOKEN_SCHEMA: JsonSchema = { type: 'string', minLength: 1, maxLength: 256, pattern: "^[!#$%&'*+.^_`|~0-9A-Za-z-]+$" };
/** A duration such as 30s, 2m, 1h30m or 500ms (duration.ts). */
export const DURATION_SCHEMA: JsonSchema = { type: 'string', minLength: 2, maxLength: 32, pattern: '^(?:\\d+(?:h|ms|m|s))+$', example: '30s' };

export const objectOf = (properties: Record<string, JsonSchema>, required: string[] = [], extra: Partial<JsonSchema> = {}): JsonSchema => ({
  type: 'object',
  properties,
  ...(required.length > 0 ? { required } : {}),
  additionalProperties: false,
  ...extra,
});
