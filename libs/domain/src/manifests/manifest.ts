import { Document, isScalar, parseAllDocuments, visit } from 'yaml';
import { DomainError, DomainViolation } from '../errors/domain-error';
import { unsafeTextViolations } from '../input/unsafe-text';

export const MANIFEST_API_VERSION = 'strata.dev/v1';

export type ManifestKind = 'Stack' | 'Component' | 'ComponentVersion' | 'VersionGroup' | 'Rollout' | 'Deployment' | 'RollbackTrigger';

export const MANIFEST_KINDS: readonly ManifestKind[] = ['Stack', 'Component', 'ComponentVersion', 'VersionGroup', 'Rollout', 'Deployment', 'RollbackTrigger'];

/** Which metadata fields name a document of each kind. */
const IDENTITY: Record<ManifestKind, readonly string[]> = {
  Stack: ['name'],
  Component: ['name', 'stack'],
  ComponentVersion: ['component', 'version'],
  VersionGroup: ['name', 'stack'],
  Rollout: ['name', 'stack'],
  // A Deployment of a stack: `spec.environment` and `spec.versionGroup` say where and what.
  Deployment: ['stack'],
  // A trigger is named within its environment, as the rollback service's API names it.
  RollbackTrigger: ['name', 'stack', 'environment'],
};

const DOCUMENT_FIELDS: readonly string[] = ['apiVersion', 'kind', 'metadata', 'spec'];

export interface ManifestDocument {
  kind: ManifestKind;
  /** 0-based position in the multi-document YAML. */
  index: number;
  metadata: Record<string, string>;
  spec: Record<string, unknown>;
}

/** `documents[3] (ComponentVersion checkout-api@2.4.0)`: how errors point into a manifest. */
export function documentLabel(document: Pick<ManifestDocument, 'index' | 'kind' | 'metadata'>): string {
  const { metadata } = document;
  const name = document.kind === 'ComponentVersion' ? `${metadata['component'] ?? '?'}@${metadata['version'] ?? '?'}` : (metadata['name'] ?? metadata['stack'] ?? '?');
  return `documents[${document.index}] (${document.kind} ${name})`;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function documentViolations(raw: unknown, index: number): { document?: ManifestDocument; violations: DomainViolation[] } {
  const at = `documents[${index}]`;
  if (!isObject(raw)) {
    return { violations: [{ field: at, message: 'must be a mapping with apiVersion, kind, metadata and spec' }] };
  }
  const violations: DomainViolation[] = [];
  if (raw['apiVersion'] !== MANIFEST_API_VERSION) {
    violations.push({ field: `${at}.apiVersion`, message: `must be ${MANIFEST_API_VERSION}` });
  }
  const kind = raw['kind'];
  if (typeof kind !== 'string' || !MANIFEST_KINDS.includes(kind as ManifestKind)) {
    violations.push({ field: `${at}.kind`, message: `must be one of ${MANIFEST_KINDS.join(', ')}` });
    return { violations };
  }
  const manifestKind = kind as ManifestKind;
  // A field nothing reads is refused, not dropped: a misspelt one would otherwise vanish without a word.
  for (const key of Object.keys(raw).filter((candidate) => !DOCUMENT_FIELDS.includes(candidate))) {
    violations.push({ field: `${at}.${key}`, message: `is not a field of a manifest document (${DOCUMENT_FIELDS.join(', ')})` });
  }
  const metadata: Record<string, string> = {};
  if (!isObject(raw['metadata'])) {
    violations.push({ field: `${at}.metadata`, message: `must be a mapping naming ${IDENTITY[manifestKind].join(' and ')}` });
  } else {
    for (const key of IDENTITY[manifestKind]) {
      const value = raw['metadata'][key];
      if (typeof value === 'string' && value.trim() !== '') {
        metadata[key] = value;
      } else if (typeof value === 'number' && key === 'version') {
        violations.push({ field: `${at}.metadata.version`, message: 'must be quoted: YAML read it as a number' });
      } else if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) {
        violations.push({ field: `${at}.metadata.${key}`, message: 'is required' });
      } else {
        violations.push({ field: `${at}.metadata.${key}`, message: `must be a string (quote it if YAML read it as something else), got ${JSON.stringify(value)}` });
      }
    }
    for (const key of Object.keys(raw['metadata']).filter((candidate) => !IDENTITY[manifestKind].includes(candidate))) {
      violations.push({ field: `${at}.metadata.${key}`, message: `is not read: the metadata of a ${manifestKind} holds ${IDENTITY[manifestKind].join(' and ')} only` });
    }
  }
  const spec = raw['spec'] ?? {};
  if (!isObject(spec)) {
    violations.push({ field: `${at}.spec`, message: 'must be a mapping' });
  }
  const document = { kind: manifestKind, index, metadata, spec: isObject(spec) ? spec : {} };
  const label = violations.length === 0 ? documentLabel(document) : at;
  return {
    document: violations.length === 0 ? document : undefined,
    violations: violations.map((violation) => ({ ...violation, field: violation.field.replace(at, label) })),
  };
}

/**
 * Limits a manifest is read within; a larger or deeper one is refused before it can exhaust the
 * process. The yaml package parses about 10,000 keys a second and blocks while it does, so the
 * size bound is also a bound on how long one apply can hold the event loop (the example manifest
 * is 5 kB).
 */
export const MANIFEST_LIMITS = { maxBytes: 256 * 1024, maxDocuments: 500, maxDepth: 32, maxAliasCount: 100 } as const;

function refuse(field: string, message: string): never {
  throw DomainError.invalid('the manifest is invalid; nothing was applied', [{ field, message }]);
}

/** Mapping keys repeated in a YAML document; linear, where the yaml package's `uniqueKeys` is quadratic. */
function duplicateKeyViolations(yamlDocument: Document, at: string): DomainViolation[] {
  const violations: DomainViolation[] = [];
  visit(yamlDocument, {
    Map(_, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const key = isScalar(pair.key) ? pair.key.value : pair.key;
        if (seen.has(key) && violations.length < 20) {
          const line = isScalar(pair.key) && pair.key.range ? ` (offset ${pair.key.range[0]})` : '';
          violations.push({ field: at, message: `invalid YAML: map key '${String(key)}' is given twice${line}` });
        }
        seen.add(key);
      }
    },
  });
  return violations;
}

/** Nesting depth of a plain value, measured without recursion. */
function nestingDepth(value: unknown): number {
  let deepest = 0;
  const pending: [unknown, number][] = [[value, 0]];
  while (pending.length > 0) {
    const [current, depth] = pending.pop() as [unknown, number];
    if (current !== null && typeof current === 'object') {
      deepest = Math.max(deepest, depth + 1);
      if (deepest > MANIFEST_LIMITS.maxDepth) {
        return deepest;
      }
      for (const item of Object.values(current)) {
        pending.push([item, depth + 1]);
      }
    }
  }
  return deepest;
}

function readDocument(yamlDocument: Document, at: string): { raw?: unknown; violations: DomainViolation[] } {
  const parseErrors = yamlDocument.errors.map((error) => {
    const line = error.linePos?.[0]?.line;
    // The yaml parser recurses per flow level and reports its own stack overflow as a parse error.
    const reason = /Maximum call stack/.test(error.message) ? `nests deeper than ${MANIFEST_LIMITS.maxDepth} levels` : error.message.split('\n')[0];
    return { field: at, message: `invalid YAML${line ? ` at line ${line}` : ''}: ${reason}` };
  });
  if (parseErrors.length > 0) {
    return { violations: parseErrors };
  }
  try {
    const duplicates = duplicateKeyViolations(yamlDocument, at);
    if (duplicates.length > 0) {
      return { violations: duplicates };
    }
    // toJS resolves aliases: an unresolved one, or more than maxAliasCount (a billion-laughs bomb), throws.
    const raw: unknown = yamlDocument.toJS({ maxAliasCount: MANIFEST_LIMITS.maxAliasCount });
    if (nestingDepth(raw) > MANIFEST_LIMITS.maxDepth) {
      return { violations: [{ field: at, message: `nests deeper than ${MANIFEST_LIMITS.maxDepth} levels` }] };
    }
    return { raw, violations: unsafeTextViolations(raw, at) };
  } catch (error) {
    const reason = error instanceof RangeError ? `nests deeper than ${MANIFEST_LIMITS.maxDepth} levels` : (error as Error).message.split('\n')[0];
    return { violations: [{ field: at, message: `invalid YAML: ${reason}` }] };
  }
}

/**
 * Reads a multi-document YAML manifest into typed documents, or refuses it whole, naming each
 * document, field and rule it breaks. Kind-specific specs are checked by whoever applies them.
 * Hostile YAML (alias bombs, unresolved aliases, huge or deeply nested documents, NUL or lone
 * surrogates in a value) is refused within MANIFEST_LIMITS.
 */
export function parseManifest(text: string): ManifestDocument[] {
  if (text.length > MANIFEST_LIMITS.maxBytes || new TextEncoder().encode(text).byteLength > MANIFEST_LIMITS.maxBytes) {
    refuse('manifest', `is larger than ${MANIFEST_LIMITS.maxBytes} bytes`);
  }
  let documents: Document[];
  try {
    const parsed = parseAllDocuments(text, { uniqueKeys: false });
    documents = (Array.isArray(parsed) ? parsed : [parsed]) as Document[];
  } catch (error) {
    refuse('manifest', error instanceof RangeError ? `nests deeper than ${MANIFEST_LIMITS.maxDepth} levels` : `invalid YAML: ${(error as Error).message.split('\n')[0]}`);
  }
  if (documents.length > MANIFEST_LIMITS.maxDocuments) {
    refuse('documents', `holds ${documents.length} documents; at most ${MANIFEST_LIMITS.maxDocuments} are read in one apply`);
  }
  const violations: DomainViolation[] = [];
  const result: ManifestDocument[] = [];
  documents.forEach((yamlDocument, index) => {
    const read = readDocument(yamlDocument, `documents[${index}]`);
    violations.push(...read.violations);
    if (read.violations.length > 0 || read.raw === null || read.raw === undefined) {
      return; // refused, or an empty document between `---` separators
    }
    const checked = documentViolations(read.raw, index);
    violations.push(...checked.violations);
    if (checked.document) {
      result.push(checked.document);
    }
  });
  if (violations.length === 0 && result.length === 0) {
    violations.push({ field: 'documents', message: 'the manifest holds no document' });
  }
  const seen = new Map<string, string>();
  for (const document of result) {
    const key = `${document.kind}:${IDENTITY[document.kind].map((field) => document.metadata[field]).join('/')}`;
    const first = seen.get(key);
    if (first) {
      violations.push({ field: documentLabel(document), message: `repeats ${first}` });
    }
    seen.set(key, documentLabel(document));
  }
  if (violations.length > 0) {
    throw DomainError.invalid('the manifest is invalid; nothing was applied', violations);
  }
  return result;
}
