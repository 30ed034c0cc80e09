import type { IncomingMessage } from 'node:http';
import type { DomainViolation } from '@strata/domain';

/** Why a request is refused with 400 before it is routed. */
export interface RequestDefect {
  slug: 'invalid-host-header' | 'invalid-request-target';
  detail: string;
  violation: DomainViolation;
}

/** What the guard reads of a request; node:http's `IncomingMessage` has it all. */
export type GuardedRequest = Pick<IncomingMessage, 'rawHeaders' | 'url' | 'httpVersionMajor' | 'httpVersionMinor'>;

/** uri-host [ ":" port ] (RFC 9110 §7.2): a bracketed IP literal or a reg-name / IPv4 address. */
const HOST_VALUE = /^(?:\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9\-._~!$&'()*+,;=%]+)(?::[0-9]{0,5})?$/;

/**
 * The request line and Host header as RFC 9112 wants them from a client of an origin server:
 * exactly one Host header with a valid value (none only on HTTP/1.0), and an origin-form target
 * (`/path?query`). A gateway is no forward proxy, so absolute-form (`GET http://other/`) is refused
 * rather than routed by its path; so is asterisk-form (`OPTIONS *`), as nginx does: the backends
 * would each answer it differently. Two Host headers are how request smuggling and cache poisoning
 * start when a gateway and a backend read different ones. Reads the raw headers once; allocates
 * only for a refused request.
 */
export function requestDefect(request: GuardedRequest): RequestDefect | undefined {
  const target = request.url ?? '';
  if (target.charCodeAt(0) !== 0x2f /* '/' */) {
    const form = target === '*' ? 'asterisk-form (*)' : /^[a-z][a-z0-9+.-]*:\/\//i.test(target) ? 'absolute-form' : 'not origin-form';
    return {
      slug: 'invalid-request-target',
      detail: `the request target is ${form}: this gateway serves only origin-form targets, a path starting with '/' (the host goes in the Host header)`,
      violation: { field: 'request-target', message: 'must be a path starting with /' },
    };
  }
  const raw = request.rawHeaders;
  let hosts = 0;
  let host = '';
  for (let index = 0; index < raw.length; index += 2) {
    const name = raw[index];
    if (name.length === 4 && name.toLowerCase() === 'host') {
      hosts++;
      host = raw[index + 1];
    }
  }
  if (hosts > 1) {
    return hostDefect(`the request has ${hosts} Host headers; exactly one is allowed`, `appears ${hosts} times; exactly one is allowed`);
  }
  if (hosts === 0) {
    const http10 = request.httpVersionMajor === 1 && request.httpVersionMinor === 0;
    return http10 ? undefined : hostDefect(`the request has no Host header; HTTP/${request.httpVersionMajor}.${request.httpVersionMinor} requires exactly one`, 'is required');
  }
  return HOST_VALUE.test(host) ? undefined : hostDefect('the Host header is not a valid host[:port]', 'must be host[:port]');
}

function hostDefect(detail: string, message: string): RequestDefect {
  return { slug: 'invalid-host-header', detail, violation: { field: 'host', message } };
}
