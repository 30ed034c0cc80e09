/**
 * Where two JSON documents differ, field by field, leaving out the fields a comparison is told to
 * ignore (timestamps, request ids, anything two correct answers may disagree on).
 *
 * A path is written from the root with dots and brackets: `items[2].price`. An ignore pattern is
 * such a path whose segments may be `*` (any one key or index) or `**` (any number of segments,
 * none included): `updatedAt` (at the root only), `items.*.etag`, `**.requestId` (at any depth).
 * Ignoring a field ignores everything under it. Objects compare by key regardless of key order,
 * arrays position by position, numbers by value (`1` equals `1.0`).
 */
export function jsonDifferences(left: unknown, right: unknown, ignore: readonly string[], limit = 10): string[] {
  const patterns = ignore.map((pattern) => pattern.split('.').flatMap(segmentsOfPattern));
  const found: string[] = [];
  walk(left, right, [], patterns, found, limit);
  return found;
}

/** `items[*]` is `items.*`: brackets become segments of their own. */
function segmentsOfPattern(part: string): string[] {
  const segments: string[] = [];
  const name = part.replace(/\[([^\]]*)\]/g, (_, index: string) => {
    segments.push(index);
    return '';
  });
  return name === '' ? segments : [name, ...segments];
}

function walk(left: unknown, right: unknown, path: string[], patterns: readonly string[][], found: string[], limit: number): void {
  if (found.length >= limit || patterns.some((pattern) => matches(pattern, 0, path, 0))) {
    return;
  }
  if (Array.isArray(left) && Array.isArray(right)) {
    const length = Math.max(left.length, right.length);
    for (let index = 0; index < length; index++) {
      walk(index < left.length ? left[index] : MISSING, index < right.length ? right[index] : MISSING, [...path, String(index)], patterns, found, limit);
    }
    return;
  }
  if (isObject(left) && isObject(right)) {
    const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
    for (const key of [...keys].sort()) {
      walk(key in left ? left[key] : MISSING, key in right ? right[key] : MISSING, [...path, key], patterns, found, limit);
    }
    return;
  }
  if (left !== right) {
    found.push(describePath(path));
  }
}

const MISSING = Symbol('missing');

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Whether the pattern from `p` matches a prefix of the path from `s` (an ignored field's subtree is ignored). */
function matches(pattern: readonly string[], p: number, path: readonly string[], s: number): boolean {
  if (p === pattern.length) return true;
  if (pattern[p] === '**') {
    for (let skip = s; skip <= path.length; skip++) {
      if (matches(pattern, p + 1, path, skip)) return true;
    }
    return false;
  }
  if (s === path.length) return false;
  return (pattern[p] === '*' || pattern[p] === path[s]) && matches(pattern, p + 1, path, s + 1);
}

function describePath(path: readonly string[]): string {
  if (path.length === 0) return '(the whole document)';
  return path.map((segment, index) => (/^\d+$/.test(segment) ? `[${segment}]` : index === 0 ? segment : `.${segment}`)).join('');
}
