import { createHash } from 'node:crypto';
import { canonicalJson } from './canonical-json';
import { ComponentVersion } from './component-version';

/**
 * The content checksum of a version, `sha256:<hex>`. A version is immutable: registering the same
 * component@version again is a no-op when the checksums match and a conflict when they differ.
 * Key order never matters; list order does (rollback actions and routes run in order), except for
 * dependencies, whose order carries no meaning and is therefore normalised.
 */
export function componentVersionChecksum(version: ComponentVersion): string {
  const dependencies = [...version.dependencies].sort((left, right) => compareText(left.component, right.component) || compareText(left.range, right.range));
  // Only the fields of a version count: a caller may hand over a row carrying ids, dates or the checksum itself.
  const { component, type, config, rollback, healthCheck, spec } = version;
  const content = { component, type, version: version.version, dependencies, config, rollback, healthCheck, spec };
  const digest = createHash('sha256').update(canonicalJson(content), 'utf8').digest('hex');
  return `sha256:${digest}`;
}

function compareText(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}
