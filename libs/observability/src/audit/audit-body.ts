/** Keys whose values are secrets: never written to the audit (a created token's secret, passwords). */
const SECRET_KEY = /^(token|secret|password|passwd|apiKey|.*(Secret|Password|Token))$/i;
/** The password of a URL with credentials (`postgres://user:secret@host/db`). */
const URL_PASSWORD = /^([a-z][a-z0-9+.-]*:\/\/[^:/?#@\s]*:)[^@/?#\s]*@/i;
/** Larger bodies are summarised: the audit says what happened, it is not a copy store. */
export const MAX_AUDITED_JSON_BYTES = 64 * 1024;

/**
 * A request or response body as the audit keeps it: JSON with secrets redacted; a body that is not
 * a JSON object or array (Prometheus text, remote-write protobuf, a YAML manifest) or is too large
 * (as received, `receivedBytes`, or as serialised) is kept as its size and kind only.
 */
export function auditableBody(body: unknown, contentType: string | undefined, receivedBytes?: number): unknown {
  if (body === undefined || body === null || body === '') {
    return null;
  }
  if (receivedBytes !== undefined && receivedBytes > MAX_AUDITED_JSON_BYTES) {
    // Too large as the client sent it: its size as received, without serialising it again.
    return { contentType: contentType ?? null, bytes: receivedBytes, summarised: true };
  }
  if (Buffer.isBuffer(body) || typeof body === 'string') {
    return { contentType: contentType ?? null, bytes: Buffer.byteLength(body) };
  }
  // The size first, by the native serialiser: a large body (an ingest request of 10 000 samples) is
  // summarised without copying it object by object to redact what the audit will not keep.
  const whole = JSON.stringify(body);
  if (whole === undefined) {
    return null;
  }
  const bytes = Buffer.byteLength(whole);
  if (bytes > MAX_AUDITED_JSON_BYTES) {
    return { contentType: contentType ?? 'application/json', bytes, summarised: true };
  }
  return JSON.parse(JSON.stringify(redacted(body))) as unknown;
}

function redacted(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') {
    return value.replace(URL_PASSWORD, '$1[redacted]@');
  }
  if (depth > 64 || value === null || typeof value !== 'object') {
    return value;
  }
  if (value instanceof Date) {
    return value.toISOString();
  }
  if (Array.isArray(value)) {
    return value.map((item) => redacted(item, depth + 1));
  }
  return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([key, item]) => [key, SECRET_KEY.test(key) && typeof item === 'string' ? '[redacted]' : redacted(item, depth + 1)]));
}
