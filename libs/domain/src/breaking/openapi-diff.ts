import { Break } from '../versions/bump';

type Json = Record<string, unknown>;

const METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
const MAX_DEPTH = 12;

function asObject(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/** Follows local `$ref`s (`#/components/...`) with a guard against cycles. */
class Document {
  constructor(private readonly root: Json) {}

  resolve(value: unknown, seen: ReadonlySet<string> = new Set()): Json | undefined {
    const node = asObject(value);
    const ref = node?.['$ref'];
    if (typeof ref !== 'string') {
      return node;
    }
    if (!ref.startsWith('#/') || seen.has(ref)) {
      return undefined;
    }
    const target = ref
      .slice(2)
      .split('/')
      .map((segment) => segment.replace(/~1/g, '/').replace(/~0/g, '~'))
      .reduce<unknown>((current, segment) => asObject(current)?.[segment], this.root);
    return this.resolve(target, new Set([...seen, ref]));
  }

  get paths(): Json {
    return asObject(this.root['paths']) ?? {};
  }
}

interface Parameter {
  key: string;
  required: boolean;
  schema: Json | undefined;
}

function parametersOf(document: Document, pathItem: Json, operation: Json): Map<string, Parameter> {
  const parameters = new Map<string, Parameter>();
  for (const raw of [...(Array.isArray(pathItem['parameters']) ? pathItem['parameters'] : []), ...(Array.isArray(operation['parameters']) ? operation['parameters'] : [])]) {
    const parameter = document.resolve(raw);
    if (parameter && typeof parameter['name'] === 'string' && typeof parameter['in'] === 'string') {
      const key = `${parameter['in']}:${parameter['name']}`;
      parameters.set(key, { key, required: parameter['required'] === true || parameter['in'] === 'path', schema: document.resolve(parameter['schema']) });
    }
  }
  return parameters;
}

function jsonSchema(document: Document, holder: Json | undefined): Json | undefined {
  const content = asObject(holder?.['content']);
  if (!content) {
    return undefined;
  }
  const mediaType = Object.keys(content).find((type) => type === 'application/json' || type.endsWith('+json')) ?? Object.keys(content)[0];
  return mediaType === undefined ? undefined : document.resolve(asObject(content[mediaType])?.['schema']);
}

function requiredOf(schema: Json): Set<string> {
  return new Set(Array.isArray(schema['required']) ? schema['required'].filter((name): name is string => typeof name === 'string') : []);
}

function propertiesOf(document: Document, schema: Json): Map<string, Json | undefined> {
  const properties = new Map<string, Json | undefined>();
  const collect = (candidate: Json | undefined, depth: number) => {
    if (!candidate || depth > MAX_DEPTH) {
      return;
    }
    for (const [name, property] of Object.entries(asObject(candidate['properties']) ?? {})) {
      properties.set(name, document.resolve(property));
    }
    // allOf composes one object out of several schemas.
    for (const part of Array.isArray(candidate['allOf']) ? candidate['allOf'] : []) {
      collect(document.resolve(part), depth + 1);
    }
  };
  collect(schema, 0);
  return properties;
}

function allRequired(document: Document, schema: Json): Set<string> {
  const required = requiredOf(schema);
  for (const part of Array.isArray(schema['allOf']) ? schema['allOf'] : []) {
    const resolved = document.resolve(part);
    if (resolved) {
      requiredOf(resolved).forEach((name) => required.add(name));
    }
  }
  return required;
}

function enumValues(schema: Json | undefined): unknown[] | undefined {
  return Array.isArray(schema?.['enum']) ? (schema['enum'] as unknown[]) : undefined;
}

interface Comparison {
  before: Document;
  after: Document;
  breaks: Break[];
}

function compareEnums(comparison: Comparison, location: string, what: string, before: Json | undefined, after: Json | undefined): void {
  const previous = enumValues(before);
  const next = enumValues(after);
  if (!next) {
    return;
  }
  const removed = (previous ?? []).filter((value) => !next.some((candidate) => JSON.stringify(candidate) === JSON.stringify(value)));
  if (previous === undefined) {
    comparison.breaks.push({ kind: 'enum-narrowed', location, message: `${what} is now restricted to ${JSON.stringify(next)}` });
  } else if (removed.length > 0) {
    comparison.breaks.push({ kind: 'enum-narrowed', location, message: `${what} no longer accepts ${removed.map((value) => JSON.stringify(value)).join(', ')}` });
  }
}

/** What a client sends: new required fields and narrowed enums break existing callers. */
function compareRequestSchema(comparison: Comparison, location: string, path: string, before: Json | undefined, after: Json | undefined, ancestors: ReadonlySet<Json> = new Set()): void {
  // A recursive schema (a tree of nodes) is compared once, not once per level.
  if (!after || ancestors.has(after) || ancestors.size > MAX_DEPTH) {
    return;
  }
  const nested = new Set([...ancestors, after]);
  compareEnums(comparison, location, path || 'the request body', before, after);
  const previousRequired = before ? allRequired(comparison.before, before) : new Set<string>();
  const previousProperties = before ? propertiesOf(comparison.before, before) : new Map<string, Json | undefined>();
  for (const name of allRequired(comparison.after, after)) {
    if (!previousRequired.has(name)) {
      comparison.breaks.push({ kind: 'required-request-field-added', location, message: `request field ${path ? `${path}.` : ''}${name} is now required` });
    }
  }
  for (const [name, property] of propertiesOf(comparison.after, after)) {
    if (previousProperties.has(name)) {
      compareRequestSchema(comparison, location, path ? `${path}.${name}` : name, previousProperties.get(name), property, nested);
    }
  }
  const items = [comparison.before.resolve(before?.['items']), comparison.after.resolve(after['items'])] as const;
  if (items[0] && items[1]) {
    compareRequestSchema(comparison, location, `${path}[]`, items[0], items[1], nested);
  }
}

/** What a client reads: removed fields break existing readers. */
function compareResponseSchema(comparison: Comparison, location: string, path: string, before: Json | undefined, after: Json | undefined, ancestors: ReadonlySet<Json> = new Set()): void {
  if (!before || ancestors.has(before) || ancestors.size > MAX_DEPTH) {
    return;
  }
  const nested = new Set([...ancestors, before]);
  if (!after) {
    comparison.breaks.push({ kind: 'response-field-removed', location, message: `response ${path || 'body'} is no longer returned` });
    return;
  }
  const nextProperties = propertiesOf(comparison.after, after);
  for (const [name, property] of propertiesOf(comparison.before, before)) {
    const field = path ? `${path}.${name}` : name;
    if (!nextProperties.has(name)) {
      comparison.breaks.push({ kind: 'response-field-removed', location, message: `response field ${field} was removed` });
    } else {
      compareResponseSchema(comparison, location, field, property, nextProperties.get(name), nested);
    }
  }
  const items = [comparison.before.resolve(before['items']), comparison.after.resolve(after['items'])] as const;
  if (items[0]) {
    compareResponseSchema(comparison, location, `${path}[]`, items[0], items[1], nested);
  }
}

function compareOperation(comparison: Comparison, location: string, before: { pathItem: Json; operation: Json }, after: { pathItem: Json; operation: Json }): void {
  const previousParameters = parametersOf(comparison.before, before.pathItem, before.operation);
  for (const parameter of parametersOf(comparison.after, after.pathItem, after.operation).values()) {
    const previous = previousParameters.get(parameter.key);
    if (parameter.required && !previous?.required) {
      comparison.breaks.push({ kind: 'required-parameter-added', location, message: `parameter ${parameter.key} is now required` });
    }
    if (previous) {
      compareEnums(comparison, location, `parameter ${parameter.key}`, previous.schema, parameter.schema);
    }
  }

  const previousBody = comparison.before.resolve(before.operation['requestBody']);
  const nextBody = comparison.after.resolve(after.operation['requestBody']);
  if (nextBody?.['required'] === true && previousBody?.['required'] !== true) {
    comparison.breaks.push({ kind: 'request-body-required', location, message: 'a request body is now required' });
  }
  compareRequestSchema(comparison, location, '', jsonSchema(comparison.before, previousBody), jsonSchema(comparison.after, nextBody));

  const previousResponses = asObject(before.operation['responses']) ?? {};
  const nextResponses = asObject(after.operation['responses']) ?? {};
  for (const [status, response] of Object.entries(previousResponses)) {
    if (!/^2/.test(status)) {
      continue;
    }
    if (!(status in nextResponses)) {
      comparison.breaks.push({ kind: 'response-removed', location, message: `response ${status} was removed` });
      continue;
    }
    compareResponseSchema(
      comparison,
      `${location} → ${status}`,
      '',
      jsonSchema(comparison.before, comparison.before.resolve(response)),
      jsonSchema(comparison.after, comparison.after.resolve(nextResponses[status])),
    );
  }
}

/**
 * The changes from one OpenAPI 3 document to the next that break existing clients: removed
 * paths or operations, new required parameters or request fields, a newly required body,
 * removed success responses or response fields, and narrowed enums. Additions are not breaks.
 */
export function breakingOpenApiChanges(previous: unknown, next: unknown): Break[] {
  const comparison: Comparison = { before: new Document(asObject(previous) ?? {}), after: new Document(asObject(next) ?? {}), breaks: [] };
  const nextPaths = comparison.after.paths;
  for (const [path, rawItem] of Object.entries(comparison.before.paths)) {
    const pathItem = comparison.before.resolve(rawItem) ?? {};
    const nextItem = comparison.after.resolve(nextPaths[path]);
    if (!nextItem) {
      comparison.breaks.push({ kind: 'path-removed', location: path, message: `path ${path} was removed` });
      continue;
    }
    for (const method of METHODS) {
      const operation = asObject(pathItem[method]);
      if (!operation) {
        continue;
      }
      const location = `${method.toUpperCase()} ${path}`;
      const nextOperation = asObject(nextItem[method]);
      if (!nextOperation) {
        comparison.breaks.push({ kind: 'operation-removed', location, message: `operation ${location} was removed` });
        continue;
      }
      compareOperation(comparison, location, { pathItem, operation }, { pathItem: nextItem, operation: nextOperation });
    }
  }
  return comparison.breaks;
}
