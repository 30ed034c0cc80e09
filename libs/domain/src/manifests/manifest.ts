import { parseAllDocuments } from 'yaml';
import { DomainError, DomainViolation } from '../errors/domain-error';

export const MANIFEST_API_VERSION = 'strata.dev/v1';

export type ManifestKind = 'Stack' | 'Component' | 'ComponentVersion' | 'VersionGroup' | 'Rollout';

const KINDS: readonly ManifestKind[] = ['Stack', 'Component', 'ComponentVersion', 'VersionGroup', 'Rollout'];

/** Which metadata fields name a document of each kind. */
const IDENTITY: Record<ManifestKind, readonly string[]> = {
  Stack: ['name'],
  Component: ['name', 'stack'],
  ComponentVersion: ['component', 'version'],
  VersionGroup: ['name', 'stack'],
  Rollout: ['name', 'stack'],
};

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
  const name = document.kind === 'ComponentVersion' ? `${metadata['component'] ?? '?'}@${metadata['version'] ?? '?'}` : (metadata['name'] ?? '?');
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
  if (typeof kind !== 'string' || !KINDS.includes(kind as ManifestKind)) {
    violations.push({ field: `${at}.kind`, message: `must be one of ${KINDS.join(', ')}` });
    return { violations };
  }
  const manifestKind = kind as ManifestKind;
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
      } else {
        violations.push({ field: `${at}.metadata.${key}`, message: 'is required' });
      }
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
 * Reads a multi-document YAML manifest into typed documents, or refuses it whole, naming each
 * document, field and rule it breaks. Kind-specific specs are checked by whoever applies them.
 */
export function parseManifest(text: string): ManifestDocument[] {
  const parsed = parseAllDocuments(text, { uniqueKeys: true });
  const documents = Array.isArray(parsed) ? parsed : [parsed];
  const violations: DomainViolation[] = [];
  const result: ManifestDocument[] = [];
  documents.forEach((yamlDocument, index) => {
    for (const error of yamlDocument.errors) {
      const line = error.linePos?.[0]?.line;
      violations.push({ field: `documents[${index}]`, message: `invalid YAML${line ? ` at line ${line}` : ''}: ${error.message.split('\n')[0]}` });
    }
    if (yamlDocument.errors.length > 0) {
      return;
    }
    const raw: unknown = yamlDocument.toJS({ maxAliasCount: 100 });
    if (raw === null || raw === undefined) {
      return; // an empty document between `---` separators
    }
    const checked = documentViolations(raw, index);
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
