import { SemVer } from 'semver';
import { parseStrictVersion } from '../components/semver-fields';
import { DomainError } from '../errors/domain-error';

/** A version group member: a component at a version. */
export interface PromotionMember {
  component: string;
  version: string;
}

/** The db-schema version an index proposal becomes, as the registry takes it (`POST /v1/components/:c/versions`). */
export interface IndexVersionDefinition {
  version: string;
  config: { lock_timeout: string; statement_timeout: string };
  spec: { up: string; down: string };
  rollback: [{ sql: { from: 'down' } }];
}

const CREATE = /^CREATE\s+INDEX\s+CONCURRENTLY\s/i;
const DROP = /^DROP\s+INDEX\s+CONCURRENTLY\s+IF\s+EXISTS\s/i;

/**
 * The version after every registered one of the component: its minor bumped (an index adds, it
 * breaks no dependant), or 1.0.0 for a component with none. Computed once per promotion and kept on
 * the proposal, so a retry registers the same version instead of the next one.
 */
export function nextPromotionVersion(registered: readonly string[]): string {
  const versions = registered.flatMap((text) => parseStrictVersion(text) ?? []);
  const highest = versions.reduce<SemVer | undefined>((best, version) => (best === undefined || version.compare(best) > 0 ? version : best), undefined);
  return highest ? `${highest.major}.${highest.minor + 1}.0` : '1.0.0';
}

/**
 * The db-schema version of an index proposal. `up` drops the index before building it: a
 * concurrent build that was interrupted leaves an INVALID index behind, which `IF NOT EXISTS` would
 * keep, and the rollback service re-runs `up` after a crash between the build and its ledger row.
 * Both statements are CONCURRENTLY, so they run outside a transaction and never block writers;
 * `lock_timeout` bounds the short lock each still takes.
 */
export function indexVersionDefinition(change: { up: unknown; down: unknown }, version: string, timeouts: { lockTimeout: string; statementTimeout: string }): IndexVersionDefinition {
  const up = typeof change.up === 'string' ? change.up.trim().replace(/;\s*$/, '') : '';
  const down = typeof change.down === 'string' ? change.down.trim().replace(/;\s*$/, '') : '';
  const violations = [
    ...(CREATE.test(up) && !up.includes(';') ? [] : [{ field: 'change.up', message: 'must be one CREATE INDEX CONCURRENTLY statement' }]),
    ...(DROP.test(down) && !down.includes(';') ? [] : [{ field: 'change.down', message: 'must be one DROP INDEX CONCURRENTLY IF EXISTS statement' }]),
  ];
  if (violations.length > 0) throw DomainError.invalid('the proposal does not hold an index this service can promote', violations);
  return {
    version,
    config: { lock_timeout: timeouts.lockTimeout, statement_timeout: timeouts.statementTimeout },
    spec: { up: `${down};\n${up};`, down: `${down};` },
    rollback: [{ sql: { from: 'down' } }],
  };
}

/** The version group a promotion creates: named after the stack, what it promotes and the proposal, so a retry finds the one it made. */
export function promotionGroupName(stack: string, proposalId: string, what: 'index' | 'weights' = 'index'): string {
  return `${stack}-${what}-${proposalId.replace(/-/g, '').slice(0, 12)}`;
}

/** What is deployed, with the promoted component at its new version (added when it was not deployed yet), in a stable order. */
export function promotionMembers(deployed: readonly PromotionMember[], promoted: PromotionMember): PromotionMember[] {
  const others = deployed.filter((member) => member.component !== promoted.component);
  return [...others, promoted].sort((a, b) => a.component.localeCompare(b.component));
}
