import { DomainViolation } from '../errors/domain-error';
import { describeValue, isNonBlankString, requireObject, unknownKeyViolations } from '../components/validation';

/** Every violation of one listed node (id unique across the config, an http(s) origin, a version). */
export function nodeViolations(node: unknown, field: string, nodeIds: Set<string>, violations: DomainViolation[]): void {
  if (!requireObject(node, field, violations)) {
    return;
  }
  violations.push(...unknownKeyViolations(node, ['id', 'url', 'version'], field));
  const id = node['id'];
  if (!isNonBlankString(id) || id.length > 255) {
    violations.push({ field: `${field}.id`, message: `must be a non-blank id of at most 255 characters, got ${describeValue(id)}` });
  } else if (nodeIds.has(id)) {
    violations.push({ field: `${field}.id`, message: `'${id}' is already the id of another node` });
  } else {
    nodeIds.add(id);
  }
  const url = node['url'];
  const problem = backendOriginProblem(url);
  if (problem) {
    violations.push({ field: `${field}.url`, message: problem });
  }
  if (node['version'] !== undefined && (!isNonBlankString(node['version']) || node['version'].length > 256)) {
    violations.push({ field: `${field}.version`, message: `must be a non-blank version of at most 256 characters, got ${describeValue(node['version'])}` });
  }
}

/** Why a value is not an origin a gateway can open a connection pool to, or undefined when it is one. */
export function backendOriginProblem(url: unknown): string | undefined {
  if (typeof url !== 'string') {
    return `must be an http(s) origin such as http://10.0.0.5:8080, got ${describeValue(url)}`;
  }
  const match = /^(https?):\/\/([^/?#\s]+)$/.exec(url);
  if (!match) {
    return `'${url}' is not an http(s) origin (scheme://host[:port], no path)`;
  }
  // The gateway opens a connection pool per origin: what the pool's URL parser refuses (a port
  // above 65535, a broken IPv6 literal, an empty host) must be refused here, at the policy's PUT,
  // not discovered by every gateway while installing the config.
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return `'${url}' is not a valid origin (check the host and that the port is from 1 to 65535)`;
  }
  if (parsed.username !== '' || parsed.password !== '') {
    return `'${url}' must not carry credentials`;
  }
  if (parsed.port === '0' || /:$/.test(match[2])) {
    return `'${url}' must name a port from 1 to 65535, or none`;
  }
  return undefined;
}
