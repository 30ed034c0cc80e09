/** The slice of an OpenAPI 3 document the fuzz suite reads to learn every route and its inputs. */
export interface Schema {
  $ref?: string;
  type?: string;
  enum?: unknown[];
  items?: Schema;
  properties?: Record<string, Schema>;
  required?: string[];
  minimum?: number;
  maximum?: number;
  minLength?: number;
  maxLength?: number;
  example?: unknown;
  default?: unknown;
  oneOf?: Schema[];
  anyOf?: Schema[];
  allOf?: Schema[];
}

export interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: Schema;
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: { content: Record<string, { schema?: Schema }> } }>>;
  components?: { schemas?: Record<string, Schema> };
}

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'] as const;

/** One route of the document: its template, method, parameters and the media types its body accepts. */
export interface Operation {
  method: string;
  path: string;
  parameters: Parameter[];
  bodyTypes: string[];
  bodySchema: Schema | undefined;
}

export function operationsOf(document: OpenApiDocument): Operation[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item)
      .filter(([method]) => (HTTP_METHODS as readonly string[]).includes(method.toUpperCase()))
      .map(([method, operation]) => {
        const content = operation.requestBody?.content ?? {};
        const bodyTypes = Object.keys(content);
        return {
          method: method.toUpperCase(),
          path,
          parameters: operation.parameters ?? [],
          bodyTypes,
          // JSON bodies are what the generator builds: the JSON schema when a route takes several types.
          bodySchema: (content['application/json'] ?? content[bodyTypes[0] as string])?.schema,
        };
      }),
  );
}

export function resolve(document: OpenApiDocument, schema: Schema | undefined): Schema {
  if (!schema) {
    return {};
  }
  if (schema.$ref) {
    return resolve(document, document.components?.schemas?.[schema.$ref.replace('#/components/schemas/', '')]);
  }
  const merged = schema.allOf ?? schema.oneOf ?? schema.anyOf;
  return merged && merged.length > 0 ? { ...schema, ...resolve(document, merged[0]) } : schema;
}
