import { DomainViolation } from '../../errors/domain-error';
import { describeValue, httpUrlProblem, isPlainObject, PlainObject, requireNonBlankString, requireObject, unknownKeyViolations } from '../validation';

export interface ApiContractSpec {
  /** Where the third-party API is served, e.g. `https://payments.example.com/v3`. */
  baseUrl: string;
  /** The OpenAPI 3 document itself, inlined: a version is immutable, a file reference is not. */
  openapi: OpenApiDocument;
}

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string } & PlainObject;
  paths?: PlainObject;
  [key: string]: unknown;
}

const OPENAPI_VERSION = /^3\.\d+\.\d+$/;

export function apiContractSpecViolations(spec: unknown, field: string): DomainViolation[] {
  const violations: DomainViolation[] = [];
  if (!requireObject(spec, field, violations)) {
    return violations;
  }
  violations.push(...unknownKeyViolations(spec, ['baseUrl', 'openapi'], field));
  const urlProblem = httpUrlProblem(spec['baseUrl'], { allowNodePlaceholder: false });
  if (urlProblem) {
    violations.push({ field: `${field}.baseUrl`, message: urlProblem });
  }
  violations.push(...openApiDocumentViolations(spec['openapi'], `${field}.openapi`));
  return violations;
}

function openApiDocumentViolations(document: unknown, field: string): DomainViolation[] {
  const violations: DomainViolation[] = [];
  if (!requireObject(document, field, violations)) {
    return violations;
  }
  if (Object.keys(document).length === 1 && '$ref' in document) {
    // The CLI inlines referenced files before sending; the registry cannot read the client's disk.
    return [{ field, message: `must be the OpenAPI document itself; inline '${String(document['$ref'])}' before registering` }];
  }
  const version = document['openapi'];
  if (typeof version !== 'string' || !OPENAPI_VERSION.test(version)) {
    violations.push({ field: `${field}.openapi`, message: `must be an OpenAPI 3 version such as 3.1.0, got ${describeValue(version)}` });
  }
  const info = document['info'];
  if (requireObject(info, `${field}.info`, violations)) {
    requireNonBlankString(info['title'], `${field}.info.title`, violations);
    requireNonBlankString(info['version'], `${field}.info.version`, violations);
  }
  for (const section of ['paths', 'webhooks', 'components']) {
    if (section in document && !isPlainObject(document[section])) {
      violations.push({ field: `${field}.${section}`, message: `must be an object, got ${describeValue(document[section])}` });
    }
  }
  if (!('paths' in document) && !('webhooks' in document) && !('components' in document)) {
    violations.push({ field: `${field}.paths`, message: 'the document describes nothing: give paths, webhooks or components' });
  }
  return violations;
}
