import type { ServerResponse } from 'node:http';

type HeadWriter = (...args: unknown[]) => ServerResponse;

const MISSPELT = 'expire';

const withoutMisspelt = (argument: unknown): unknown =>
  typeof argument === 'object' && argument !== null && !Array.isArray(argument) ? Object.fromEntries(Object.entries(argument).filter(([name]) => name.toLowerCase() !== MISSPELT)) : argument;

/**
 * Nest writes `Expire: 0` on every server-sent event stream (@nestjs/core's SseStream), a
 * misspelt Expires that no cache reads. The Cache-Control it writes beside it (no-store,
 * max-age=0) already forbids caching, and max-age overrides Expires anyway (RFC 9111 §5.3), so
 * the header is dropped rather than corrected. Only this response's head is touched.
 */
export function dropMisspeltExpiresHeader(response: ServerResponse): void {
  const writeHead = response.writeHead.bind(response) as HeadWriter;
  const filtered: HeadWriter = (...args) => writeHead(...args.map(withoutMisspelt));
  response.writeHead = filtered as ServerResponse['writeHead'];
}
