/**
 * What the request path needs from a request's headers, read in the one pass over `rawHeaders`
 * that copies those forwarded upstream: node:http then never builds the request's `headers` object
 * (every name lower-cased into a fresh object) for a request no rule or policy inspects. One
 * instance is reused (routing is synchronous); only `forwarded` is new per request, since an
 * exchange keeps it for a retry.
 */
export class RequestHeaders {
  /** The request headers minus hop-by-hop ones (RFC 9110 §7.6.1) and those undici sets itself. */
  forwarded: string[] = [];
  /** A body follows: a Content-Length other than 0, or else a Transfer-Encoding. */
  hasBody = false;
  hasIdempotencyKey = false;

  scan(rawHeaders: readonly string[]): this {
    const forwarded: string[] = [];
    let contentLength: string | undefined;
    let transferEncoding = false;
    let idempotencyKey = false;
    for (let index = 0; index < rawHeaders.length; index += 2) {
      const name = rawHeaders[index] as string;
      const value = rawHeaders[index + 1] as string;
      // Only a name of the length of one of those read or dropped is lower-cased and compared.
      switch (name.length) {
        case 14:
          if (contentLength === undefined && name.toLowerCase() === 'content-length') contentLength = value;
          break;
        case 15:
          if (name.toLowerCase() === 'idempotency-key') idempotencyKey = true;
          break;
        case 17:
          if (name.toLowerCase() === 'transfer-encoding') {
            transferEncoding = true;
            continue;
          }
          break;
        default:
          if (isNotForwarded(name)) continue;
      }
      forwarded.push(name, value);
    }
    this.forwarded = forwarded;
    this.hasBody = contentLength !== undefined ? contentLength !== '0' : transferEncoding;
    this.hasIdempotencyKey = idempotencyKey;
    return this;
  }
}

/** The forwarded headers alone (see RequestHeaders). */
export function forwardedHeaders(rawHeaders: readonly string[]): string[] {
  return new RequestHeaders().scan(rawHeaders).forwarded;
}

function isNotForwarded(name: string): boolean {
  switch (name.length) {
    case 2:
      return name.toLowerCase() === 'te';
    case 4:
      return name.toLowerCase() === 'host';
    case 6:
      return name.toLowerCase() === 'expect';
    case 7: {
      const lower = name.toLowerCase();
      return lower === 'upgrade' || lower === 'trailer';
    }
    case 10: {
      const lower = name.toLowerCase();
      return lower === 'connection' || lower === 'keep-alive';
    }
    case 16:
      return name.toLowerCase() === 'proxy-connection';
    default:
      return false;
  }
}
