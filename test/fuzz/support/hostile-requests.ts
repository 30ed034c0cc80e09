import { HTTP_METHODS, OpenApiDocument, Operation, Parameter, Schema, resolve } from './openapi';
import { Random } from './prng';

/** A request as sent on the wire: raw path (already percent-encoded) and raw body bytes. */
export interface FuzzRequest {
  method: string;
  path: string;
  /** The route it was made from, e.g. `POST /v1/stacks`; summaries group by it. */
  route: string;
  /** What was made hostile, e.g. `body.name=NUL`; printed with any failure. */
  attack: string;
  headers: Record<string, string>;
  body?: Buffer;
}

const NUL = '\u0000';
const LONE_HIGH = '\ud800';
const LONE_LOW = '\udfff';

const HOSTILE_STRINGS: readonly [string, () => string][] = [
  ['NUL', () => `a${NUL}b`],
  ['only-NUL', () => NUL],
  ['lone-high-surrogate', () => `x${LONE_HIGH}y`],
  ['lone-low-surrogate', () => LONE_LOW],
  ['huge-string', () => 'A'.repeat(200_000)],
  ['empty', () => ''],
  ['blank', () => '   '],
  ['sql', () => "x'; DROP TABLE stacks; --"],
  ['traversal', () => '../../etc/passwd'],
  ['unicode', () => 'ünï\u202ecødé😀'],
  ['number-like', () => '99999999999999999999'],
  ['control', () => '\u0007\u001b[2J'],
];

const HOSTILE_NUMBERS: readonly [string, unknown][] = [
  ['huge', 1e308],
  ['negative-huge', -1e308],
  // Beyond what a double holds exactly, as a careless client sends them.
  ['beyond-int64', Number('99999999999999999999')],
  ['beyond-int32', 2_147_483_648],
  ['below-int32', -2_147_483_649],
  ['unsafe-integer', Number('9007199254740993')],
  ['fraction', 0.5],
  ['negative', -1],
  ['zero', 0],
];

const WRONG_TYPES: readonly [string, unknown][] = [
  ['null', null],
  ['true', true],
  ['array', []],
  ['object', {}],
  ['number', 42],
  ['string', 'text'],
  ['nested-array', [[[['x']]]]],
];

const PATH_VALUES: readonly [string, string][] = [
  ['encoded-NUL', 'a%00b'],
  ['encoded-lone-surrogate', '%ED%A0%80'],
  ['bad-percent', '%'],
  ['bad-percent-2', '%zz'],
  ['huge', 'a'.repeat(6_000)],
  ['beyond-int64', '99999999999999999999'],
  ['beyond-int32', '2147483648'],
  ['negative', '-1'],
  ['fraction', '1.5'],
  ['exponent', '1e400'],
  ['dot-dot', '..'],
  ['encoded-slash', 'a%2Fb'],
  ['space', '%20'],
  ['unicode', '%C3%BC%F0%9F%98%80'],
  ['encoded-NUL-only', '%00'],
];

const WRONG_CONTENT_TYPES = [
  'text/plain',
  'application/xml',
  'multipart/form-data; boundary=x',
  'application/x-www-form-urlencoded',
  'application/octet-stream',
  'image/png',
  'application/json; charset=utf-16',
  'application/json; charset=latin1',
];

/** Hostile YAML for routes that take a manifest: alias bombs, unresolved aliases, huge documents. */
const HOSTILE_YAML: readonly [string, () => string][] = [
  ['alias-bomb', () => ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]', ...'bcdefghi'.split('').map((name, index) => `${name}: &${name} [${Array(9).fill(`*${'abcdefghi'[index]}`).join(',')}]`)].join('\n')],
  ['unresolved-alias', () => 'apiVersion: strata.dev/v1\nkind: Stack\nmetadata: { name: *nowhere }\n'],
  ['deep-flow', () => `${'['.repeat(5_000)}${']'.repeat(5_000)}`],
  ['deep-block', () => Array.from({ length: 2_000 }, (_, depth) => `${' '.repeat(depth)}k:`).join('\n')],
  ['huge', () => `kind: Stack\nmetadata:\n${Array.from({ length: 150_000 }, (_, index) => `  k${index}: v`).join('\n')}\n`],
  ['many-documents', () => 'kind: Stack\nmetadata: { name: x }\n---\n'.repeat(20_000)],
  ['NUL-escape', () => 'apiVersion: strata.dev/v1\nkind: Stack\nmetadata: { name: "che\\0ckout" }\nspec: { environments: [{ name: production }] }\n'],
  ['lone-surrogate-escape', () => 'apiVersion: strata.dev/v1\nkind: Stack\nmetadata: { name: "che\\ud800ckout" }\nspec: { environments: [{ name: production }] }\n'],
  ['NUL-in-environment', () => 'apiVersion: strata.dev/v1\nkind: Stack\nmetadata: { name: fuzz }\nspec: { environments: [{ name: "prod\\0" }] }\n'],
  ['duplicate-key', () => 'kind: Stack\nkind: Component\n'],
  ['custom-tag', () => 'kind: !!js/function "function () {}"\nmetadata: !!binary aGVsbG8=\n'],
  ['merge-loop', () => 'a: &a\n  <<: *a\n'],
  ['not-yaml', () => '\t: : :\n  - [\n'],
  ['wrong-types', () => 'apiVersion: 1\nkind: [Stack]\nmetadata: 3\nspec: null\n'],
  ['huge-number', () => 'apiVersion: strata.dev/v1\nkind: Stack\nmetadata: { name: fuzz, replicas: 1e400 }\nspec: { environments: [{ name: production, weight: 99999999999999999999 }] }\n'],
  ['stack-without-environment-name', () => 'apiVersion: strata.dev/v1\nkind: Stack\nmetadata: { name: fuzz }\nspec: { environments: [{}] }\n'],
  ['stack-with-environment-number', () => 'apiVersion: strata.dev/v1\nkind: Stack\nmetadata: { name: fuzz }\nspec: { environments: [{ name: 5 }] }\n'],
  ['component-wrong-spec', () => 'apiVersion: strata.dev/v1\nkind: Component\nmetadata: { name: c, stack: fuzz }\nspec: { type: [app], target: 7 }\n'],
  ['version-wrong-spec', () => 'apiVersion: strata.dev/v1\nkind: ComponentVersion\nmetadata: { component: c, version: "1.0.0" }\nspec: { dependencies: "x", rollback: 4, healthCheck: [] }\n'],
  ['group-wrong-spec', () => 'apiVersion: strata.dev/v1\nkind: VersionGroup\nmetadata: { name: g, stack: fuzz }\nspec: { members: { a: 1 } }\n'],
  ['rollout-wrong-spec', () => 'apiVersion: strata.dev/v1\nkind: Rollout\nmetadata: { name: r, stack: fuzz }\nspec: { steps: "all", environment: null }\n'],
];

/** A plausible value for a schema: the base a single hostile change is then made to. */
export function plausible(document: OpenApiDocument, schema: Schema | undefined, random: Random, depth = 0): unknown {
  const resolved = resolve(document, schema);
  if (resolved.example !== undefined && random.chance(0.5)) {
    return structuredClone(resolved.example);
  }
  if (resolved.enum && resolved.enum.length > 0) {
    return random.pick(resolved.enum);
  }
  switch (resolved.type) {
    case 'integer':
    case 'number': {
      const min = resolved.minimum ?? 0;
      const max = resolved.maximum ?? min + 100;
      return random.int(Math.ceil(min), Math.floor(Math.min(max, min + 100)));
    }
    case 'boolean':
      return random.chance(0.5);
    case 'array':
      return depth > 4 ? [] : [plausible(document, resolved.items, random, depth + 1)];
    case 'object':
    case undefined: {
      if (!resolved.properties) {
        return resolved.type === 'object' ? {} : `fuzz-${random.int(0, 9_999)}`;
      }
      const result: Record<string, unknown> = {};
      for (const [name, property] of Object.entries(resolved.properties)) {
        if ((resolved.required ?? []).includes(name) || random.chance(0.5)) {
          result[name] = plausible(document, property, random, depth + 1);
        }
      }
      return result;
    }
    default:
      return `fuzz-${random.int(0, 9_999)}`;
  }
}

function hostileValue(random: Random): [string, unknown] {
  const family = random.int(0, 2);
  if (family === 0) {
    const [label, make] = random.pick(HOSTILE_STRINGS);
    return [label, make()];
  }
  return random.pick(family === 1 ? HOSTILE_NUMBERS : WRONG_TYPES);
}

/** Paths to every value inside a JSON value, so one of them can be replaced. */
function locations(value: unknown, at: (string | number)[] = []): (string | number)[][] {
  const own = at.length > 0 ? [at] : [];
  if (Array.isArray(value)) {
    return [...own, ...value.flatMap((item, index) => locations(item, [...at, index]))];
  }
  if (value !== null && typeof value === 'object') {
    return [...own, ...Object.entries(value).flatMap(([key, item]) => locations(item, [...at, key]))];
  }
  return own;
}

function replaceAt(value: unknown, at: (string | number)[], replacement: unknown): unknown {
  if (at.length === 0) {
    return replacement;
  }
  const [head, ...rest] = at as [string | number, ...(string | number)[]];
  const copy = (Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) }) as Record<string | number, unknown>;
  copy[head] = replaceAt(copy[head], rest, replacement);
  return copy;
}

function deepJson(depth: number, random: Random): string {
  return random.chance(0.5) ? `${'['.repeat(depth)}1${']'.repeat(depth)}` : `${'{"a":'.repeat(depth)}1${'}'.repeat(depth)}`;
}

/** A JSON body with one hostile change; returns the attack's label and the raw text. */
function hostileJsonBody(document: OpenApiDocument, operation: Operation, random: Random): [string, string] {
  const base = plausible(document, operation.bodySchema, random);
  const roll = random.int(0, 11);
  const spots = locations(base);
  if (roll <= 3 && spots.length > 0) {
    const at = random.pick(spots);
    const [label, value] = hostileValue(random);
    return [`body.${at.join('.')}=${label}`, JSON.stringify(replaceAt(base, at, value))];
  }
  if (roll === 4 && spots.length > 0) {
    const at = random.pick(spots);
    return [`body.${at.join('.')}=deep`, JSON.stringify(replaceAt(base, at, JSON.parse(deepJson(random.pick([40, 200]), random))))];
  }
  if (roll === 5) {
    const depth = random.pick([33, 1_000, 100_000]);
    return [`body=nested-${depth}`, deepJson(depth, random)];
  }
  if (roll === 6 && base !== null && typeof base === 'object' && !Array.isArray(base)) {
    const [key] = Object.keys(base);
    const text = JSON.stringify(base);
    return key ? [`body.${key}=duplicate-key`, `{${JSON.stringify(key)}:"first",${text.slice(1)}`] : ['body=unknown-field', JSON.stringify({ surprise: 1 })];
  }
  if (roll === 7) {
    return ['body=unknown-field', JSON.stringify({ ...(base as object), [`unknown${random.int(0, 99)}`]: 'x', __proto__x: { polluted: true } })];
  }
  if (roll === 8 && base !== null && typeof base === 'object') {
    const keys = Object.keys(base);
    const dropped = keys.length > 0 ? random.pick(keys) : '';
    const rest = { ...(base as Record<string, unknown>) };
    delete rest[dropped];
    return [`body.${dropped}=missing`, JSON.stringify(rest)];
  }
  if (roll === 9) {
    const [label, value] = random.pick(WRONG_TYPES);
    return [`body=${label}`, JSON.stringify(value)];
  }
  if (roll === 10) {
    return random.pick<[string, string]>([
      ['body=malformed', '{"a":'],
      ['body=malformed-2', '{a:1}'],
      ['body=empty', ''],
      ['body=trailing', '{} {}'],
      ['body=bom', '\ufeff{}'],
      ['body=proto', '{"__proto__":{"polluted":true},"constructor":{"prototype":{"polluted":true}}}'],
    ]);
  }
  return ['body=plausible', JSON.stringify(base)];
}

function fillPath(template: string, parameters: Parameter[], random: Random, hostile: boolean): [string, string] {
  const attacks: string[] = [];
  const path = template.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const parameter = parameters.find((candidate) => candidate.in === 'path' && candidate.name === name);
    if (hostile && (attacks.length === 0 || random.chance(0.3))) {
      const [label, value] = random.pick(PATH_VALUES);
      attacks.push(`path.${name}=${label}`);
      return value;
    }
    return parameter?.schema?.type === 'number' || parameter?.schema?.type === 'integer' ? String(random.int(1, 3)) : `fuzz-${random.int(0, 3)}`;
  });
  return [path, attacks.join(' ')];
}

function query(parameters: Parameter[], random: Random, hostile: boolean): [string, string] {
  const pairs: string[] = [];
  const attacks: string[] = [];
  for (const parameter of parameters.filter((candidate) => candidate.in === 'query')) {
    if (hostile && (attacks.length === 0 || random.chance(0.2)) && random.chance(0.6)) {
      const [label, value] = random.pick<[string, string]>([...PATH_VALUES, ['repeated', '1&' + parameter.name + '=2'], ['array', '1'], ['empty', '']]);
      attacks.push(`query.${parameter.name}=${label}`);
      pairs.push(label === 'array' ? `${parameter.name}[]=1&${parameter.name}[x]=2` : `${parameter.name}=${value}`);
    } else if (parameter.required || random.chance(0.3)) {
      pairs.push(`${parameter.name}=${random.int(1, 20)}`);
    }
  }
  if (hostile && (attacks.length === 0 || random.chance(0.1))) {
    const name = `unknown${random.int(0, 9)}`;
    attacks.push(`query.${name}=encoded-NUL`);
    pairs.push(`${name}=%00`);
  }
  return [pairs.length > 0 ? `?${pairs.join('&')}` : '', attacks.join(' ')];
}

/** One hostile request for an operation, or for a method the path does not answer. */
export function hostileRequest(document: OpenApiDocument, operations: Operation[], random: Random, headers: () => Record<string, string>): FuzzRequest {
  const operation = random.pick(operations);
  const route = `${operation.method} ${operation.path}`;
  const roll = random.int(0, 19);

  if (roll === 0) {
    const answered = new Set(operations.filter((candidate) => candidate.path === operation.path).map((candidate) => candidate.method));
    const others = [...HTTP_METHODS.filter((method) => !answered.has(method)), 'OPTIONS', 'PROPFIND', 'TRACE'];
    const method = random.pick(others);
    return { method, path: fillPath(operation.path, operation.parameters, random, false)[0], route: `${method} ${operation.path}`, attack: 'unknown-method', headers: headers() };
  }

  const hostilePath = roll <= 4 && operation.path.includes('{');
  const hostileQuery = (roll === 5 || roll === 6 || (roll <= 4 && !hostilePath)) && operation.parameters.some((parameter) => parameter.in === 'query');
  const [path, pathAttack] = fillPath(operation.path, operation.parameters, random, hostilePath);
  const [search, queryAttack] = query(operation.parameters, random, hostileQuery);
  const base: FuzzRequest = { method: operation.method, path: path + search, route, attack: [pathAttack, queryAttack].filter(Boolean).join(' ') || 'plausible', headers: headers() };

  if (operation.parameters.some((parameter) => parameter.in === 'header') && random.chance(0.2)) {
    base.headers['x-strata-actor'] = random.pick(['', 'a'.repeat(9_000), 'ü', ' spaced ']);
  }

  const yaml = operation.bodyTypes.includes('application/yaml');
  if (operation.bodyTypes.length === 0) {
    if (roll === 7 && operation.method !== 'GET') {
      return { ...base, attack: 'unexpected-body', headers: { ...base.headers, 'content-type': 'application/json' }, body: Buffer.from(deepJson(50, random)) };
    }
    return base;
  }
  if (yaml && roll >= 7) {
    const [label, make] = random.pick(HOSTILE_YAML);
    return { ...base, attack: `yaml=${label}`, headers: { ...base.headers, 'content-type': random.pick(['application/yaml', 'text/plain', 'application/x-yaml']) }, body: Buffer.from(make()) };
  }
  if (roll === 8) {
    const contentType = random.pick(WRONG_CONTENT_TYPES);
    return { ...base, attack: `content-type=${contentType}`, headers: { ...base.headers, 'content-type': contentType }, body: Buffer.from(hostileJsonBody(document, operation, random)[1]) };
  }
  if (roll === 9) {
    return { ...base, attack: 'no-content-type', body: Buffer.from(JSON.stringify(plausible(document, operation.bodySchema, random))) };
  }
  if (roll === 10 && random.chance(0.2)) {
    return { ...base, attack: 'body-too-large', headers: { ...base.headers, 'content-type': 'application/json' }, body: Buffer.from(`{"a":"${'x'.repeat(6 * 1024 * 1024)}"}`) };
  }
  if (roll === 11) {
    return { ...base, attack: 'invalid-utf8', headers: { ...base.headers, 'content-type': 'application/json' }, body: Buffer.from([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xed, 0xa0, 0x80, 0xff, 0x22, 0x7d]) };
  }
  const [bodyAttack, text] = hostileJsonBody(document, operation, random);
  // A route that reads text (Prometheus exposition) gets its plausible body as that text, so the
  // request's only defect is the one its attack names.
  const textOnly = !operation.bodyTypes.includes('application/json') && bodyAttack === 'body=plausible';
  const plain = textOnly ? (JSON.parse(text) as unknown) : undefined;
  return {
    ...base,
    attack: base.attack === 'plausible' ? bodyAttack : `${base.attack} ${bodyAttack}`,
    headers: { ...base.headers, 'content-type': textOnly ? (operation.bodyTypes[0] as string) : 'application/json' },
    body: Buffer.from(typeof plain === 'string' ? plain : text),
  };
}
