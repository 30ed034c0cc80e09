import { ApiClient, Query } from '../api-client';
import { UsageError } from '../errors';
import { Column } from '../output';

export type Item = Record<string, unknown>;

/** The options of `get` and `describe` that place a resource: `--stack`, `--environment`, `--component`. */
export interface Scope {
  stack?: string;
  environment?: string;
  component?: string;
  /** `--filter key=value`, passed to list endpoints as query parameters. */
  filters: Query;
}

export type ScopeOption = 'stack' | 'environment' | 'component';

/**
 * A kind of resource as `get` and `describe` see it: where its list and its items are, how a
 * table shows it, and what `describe` adds. One entry per kind, registered in `KINDS`.
 */
export interface Kind {
  name: string;
  aliases: readonly string[];
  /** Options a request needs; missing ones are a usage error naming them. */
  requires: readonly ScopeOption[];
  /**
   * The list endpoint (a page or an array); absent when the kind has only one object per scope.
   * `unpagedLimit`: the endpoint answers a plain array cut at `limit`, at most this many.
   */
  list?: (scope: Scope) => { path: string; query?: Query; unpagedLimit?: number };
  /** One item by name; absent when the API has no item route (the list is searched instead). */
  one?: (scope: Scope, name: string) => string;
  /** The object of a scope when no name is given (the version map, the current routing policy). */
  current?: (scope: Scope) => string;
  /** Picks a named item out of the list, for kinds without an item route. */
  find?: (items: readonly Item[], name: string) => Item | undefined;
  /** The table rows of one object (a version map's slots); the object itself by default. */
  rows?: (item: Item) => Item[];
  columns: readonly Column<Item>[];
  /** Sections `describe` shows after the object: related lists (transitions, history, status). */
  details?: (client: ApiClient, scope: Scope, item: Item) => Promise<Record<string, unknown>>;
}

/** A value at a dotted path of an API object. */
export function at(item: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((value, key) => (typeof value === 'object' && value !== null ? (value as Record<string, unknown>)[key] : undefined), item);
}

export const column = (header: string, path: string): Column<Item> => ({ header, value: (item) => at(item, path) });

export function requireScope(kind: Kind, scope: Scope): void {
  const missing = kind.requires.filter((option) => !scope[option]);
  if (missing.length > 0) {
    throw new UsageError(`${kind.name} needs ${missing.map((option) => `--${option}`).join(' and ')}`);
  }
}

/** `a` and `b` of a scope as path segments, once requireScope has checked them. */
export function scoped(scope: Scope, option: ScopeOption): string {
  return encodeURIComponent(scope[option] as string);
}

export function findKind(kinds: readonly Kind[], name: string): Kind {
  const wanted = name.toLowerCase();
  const kind = kinds.find((candidate) => candidate.name === wanted || candidate.aliases.includes(wanted));
  if (!kind) {
    throw new UsageError(`unknown kind '${name}'; known: ${kinds.map((candidate) => candidate.name).join(', ')}`);
  }
  return kind;
}
