import { DomainViolation } from '../../errors/domain-error';
import { describeValue, httpUrlProblem, isPlainObject, PlainObject, requireNonBlankString, requireObject, unknownKeyViolations } from '../validation';

export interface ApiContractSpec {
  /** Where the third-party API is served, e.g. `https://payments.example.com/v3`. */
  baseUrl: string;
  /**
   * The OpenAPI 3 document itself, or a reference to a file the registry cannot read. Only an
   * inlined document can be diffed against the previous version (see `breakingChangesOf`).
   */
  openapi: OpenApiDocument | ExternalContractReference;
}

/** `{ $ref: './payments-openapi-3.2.0.yaml' }`: the contract lives outside the manifest. */
export interface ExternalContractReference {
  $ref: string;
}

export interface OpenApiDocument {
  openapi: string;
  info: { title: string; version: string } & PlainObject;
  paths?: PlainObject;
  [key: string]: unknown;
}

const OPENAPI_VERSION = /^3\.\d+\.\d+$/;

/** The file a contract refers to when it is not inlined; undefined for an inlined document. */
export function externalContractReference(openapi: unknown): string | undefined {
  if (!isPlainObject(openapi) || Object.keys(openapi).length !== 1 || !('$ref' in openapi)) {
    return undefined;
  }
  const ref = openapi['$ref'];
  return typeof ref === 'string' && !ref.startsWith('#') ? ref : undefined;
}

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
    // Accepted as a reference (manifests written for GitOps keep the contract in its own file);
    // the registry cannot read the client's disk, so breaking-change checks need a major bump then.
    const ref = document['$ref'];
    return typeof ref === 'string' && ref.trim() !== '' && !ref.startsWith('#')
      ? []
      : [{ field: `${field}.$ref`, message: `must name the contract's file, e.g. './openapi.yaml', got ${describeValue(ref)}` }];
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
