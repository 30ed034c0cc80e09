import { IncomingMessage } from 'node:http';

/**
 * One stack and environment served by a gateway that serves several (Envoy's virtual hosts): the
 * requests whose Host is one of `hosts`, or, failing that, whose path starts with one of
 * `pathPrefixes`. The path is forwarded as it came: a prefix selects, it is not stripped.
 */
export interface VirtualHostSpec {
  stack: string;
  environment: string;
  /** Lower-case host names, without a port. */
  hosts: string[];
  /** Each starts with '/'. */
  pathPrefixes: string[];
}

const NAME = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/;
const HOST_NAME = /^[a-z0-9]([a-z0-9.-]{0,251}[a-z0-9])?$/;
const PATH_PREFIX = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/;

/**
 * Reads `stack/environment=match[,match…]` entries separated by `;`, each match a host name or a
 * path prefix (starting with '/'), e.g. `shop/production=shop.example.com;search/production=/search/`.
 * Throws naming every problem; a host, a prefix or a stack/environment may appear only once.
 */
export function parseVirtualHosts(text: string): VirtualHostSpec[] {
  const problems: string[] = [];
  const specs: VirtualHostSpec[] = [];
  const seen = new Map<string, string>();
  const claim = (what: string, entry: string): void => {
    const earlier = seen.get(what);
    if (earlier !== undefined) {
      problems.push(`${what} is claimed by both '${earlier}' and '${entry}'`);
    }
    seen.set(what, entry);
  };
  const entries = text
    .split(';')
    .map((entry) => entry.trim())
    .filter(Boolean);
  for (const entry of entries) {
    const [identity = '', matches = '', ...extra] = entry.split('=');
    const [stack = '', environment = '', ...rest] = identity.trim().split('/');
    if (extra.length > 0 || rest.length > 0 || !NAME.test(stack) || !NAME.test(environment)) {
      problems.push(`'${entry}' must be stack/environment=host-or-/prefix[,…] with a stack and an environment name`);
      continue;
    }
    const spec: VirtualHostSpec = { stack, environment, hosts: [], pathPrefixes: [] };
    claim(`${stack}/${environment}`, entry);
    for (const match of matches
      .split(',')
      .map((part) => part.trim())
      .filter(Boolean)) {
      if (match.startsWith('/')) {
        if (PATH_PREFIX.test(match)) spec.pathPrefixes.push(match);
        else problems.push(`'${match}' in '${entry}' is not a path prefix`);
      } else if (HOST_NAME.test(match.toLowerCase())) {
        spec.hosts.push(match.toLowerCase());
      } else {
        problems.push(`'${match}' in '${entry}' is neither a host name (without a port) nor a path prefix starting with '/'`);
      }
    }
    if (spec.hosts.length + spec.pathPrefixes.length === 0) {
      problems.push(`'${entry}' names no host and no path prefix`);
    }
    [...spec.hosts, ...spec.pathPrefixes].forEach((match) => claim(match, entry));
    specs.push(spec);
  }
  if (entries.length === 0) {
    problems.push('names no virtual host');
  }
  if (problems.length > 0) {
    throw new Error(problems.join('; '));
  }
  return specs;
}

/** The name of the host a request is for, lower-case and without the port; undefined without a Host. */
export function requestHostName(request: IncomingMessage): string | undefined {
  const host = request.headers.host;
  if (host === undefined) {
    return undefined;
  }
  // [v6 address]:port keeps its brackets; name:port loses the port.
  const end = host.charCodeAt(0) === 91 /* [ */ ? host.indexOf(']') + 1 : host.indexOf(':');
  return (end > 0 ? host.slice(0, end) : host).toLowerCase();
}

/**
 * Picks the virtual host of a request: by Host first, then by the longest path prefix. A gateway
 * serving one stack has one catch-all entry and looks nothing up.
 */
export class VirtualHostTable<THost> {
  private readonly byHost = new Map<string, THost>();
  private readonly byPrefix: Array<{ prefix: string; host: THost }> = [];

  /** `specs` undefined: one stack, every request goes to `entries[0]`. */
  constructor(
    private readonly entries: readonly THost[],
    private readonly specs: readonly VirtualHostSpec[] | undefined,
  ) {
    if (specs && specs.length !== entries.length) {
      throw new Error(`${entries.length} virtual host(s) for ${specs.length} spec(s)`);
    }
    specs?.forEach((spec, index) => {
      const host = entries[index] as THost;
      spec.hosts.forEach((name) => this.byHost.set(name, host));
      spec.pathPrefixes.forEach((prefix) => this.byPrefix.push({ prefix, host }));
    });
    this.byPrefix.sort((a, b) => b.prefix.length - a.prefix.length);
  }

  select(request: IncomingMessage, path: string): THost | undefined {
    if (!this.specs) {
      return this.entries[0];
    }
    const name = requestHostName(request);
    const byName = name === undefined ? undefined : this.byHost.get(name);
    if (byName !== undefined) {
      return byName;
    }
    for (const { prefix, host } of this.byPrefix) {
      if (path.startsWith(prefix)) {
        return host;
      }
    }
    return undefined;
  }
}
