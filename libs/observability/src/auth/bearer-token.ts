import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/** Issued tokens read `strata_` + 43 base64url characters: 256 random bits, recognisable in a leak scan. */
export const TOKEN_PREFIX = 'strata_';

/**
 * What a bearer token may look like (RFC 6750's b64token, bounded): generated tokens and any
 * STRATA_ADMIN_TOKEN an operator chose, which must be long enough not to be guessed.
 */
export const ACCEPTABLE_BEARER_TOKEN = /^[A-Za-z0-9._~+/-]{32,256}={0,2}$/;

export function generateTokenSecret(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString('base64url')}`;
}

/**
 * What is stored instead of the secret. A plain SHA-256 is enough: the secret has 256 random bits
 * (or, for STRATA_ADMIN_TOKEN, at least 32 chosen characters), so there is nothing to brute-force
 * that a slow hash would protect.
 */
export function hashTokenSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Compares two hex digests in constant time (a mismatch in length is not secret: both are SHA-256). */
export function tokenHashesEqual(a: string, b: string): boolean {
  const left = Buffer.from(a, 'hex');
  const right = Buffer.from(b, 'hex');
  return left.length === right.length && left.length > 0 && timingSafeEqual(left, right);
}

/** The token of an `Authorization: Bearer <token>` header, or undefined when there is none or it is malformed. */
export function bearerTokenOf(header: string | readonly string[] | undefined): string | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (typeof value !== 'string') {
    return undefined;
  }
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(value);
  return match && ACCEPTABLE_BEARER_TOKEN.test(match[1]) ? match[1] : undefined;
}
