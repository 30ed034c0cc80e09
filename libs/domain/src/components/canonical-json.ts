/**
 * JSON with object keys sorted at every depth, so equal content serialises to equal text whatever
 * order a manifest or a client wrote its keys in. Arrays keep their order: in rollback actions and
 * routes order carries meaning. Keys holding `undefined` are omitted, as JSON.stringify does.
 * Values JSON cannot represent faithfully (NaN, Infinity, functions, bigint, class instances such
 * as Date) are refused instead of being silently changed.
 */
export function canonicalJson(value: unknown): string {
  return serialize(value, '$');
}

function serialize(value: unknown, path: string): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') {
    return JSON.stringify(value);
  }
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) {
      throw new TypeError(`canonical JSON cannot represent ${String(value)} at ${path}`);
    }
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) {
    return `[${value.map((item: unknown, index) => (item === undefined ? 'null' : serialize(item, `${path}[${index}]`))).join(',')}]`;
  }
  if (typeof value === 'object') {
    const prototype: unknown = Object.getPrototypeOf(value);
    if (prototype !== Object.prototype && prototype !== null) {
      throw new TypeError(`canonical JSON accepts plain objects only, got ${value.constructor.name} at ${path}`);
    }
    const entries = Object.entries(value)
      .filter(([, entry]) => entry !== undefined)
      .sort(([left], [right]) => (left < right ? -1 : left > right ? 1 : 0));
    return `{${entries.map(([key, entry]) => `${JSON.stringify(key)}:${serialize(entry, `${path}.${key}`)}`).join(',')}}`;
  }
  throw new TypeError(`canonical JSON cannot represent a ${typeof value} at ${path}`);
}
