const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;
const TWO_TO_32 = 0x1_0000_0000;

/**
 * FNV-1a of a string, avalanched: the same key gives the same hash on every gateway and after every
 * restart (no per-process seed, unlike a Map).
 */
export function stableHash(key: string): number {
  let hash = FNV_OFFSET;
  for (let index = 0; index < key.length; index++) {
    hash ^= key.charCodeAt(index);
    hash = Math.imul(hash, FNV_PRIME);
  }
  return avalanche(hash);
}

/**
 * A uniform number in the open interval (0, 1) for the pair (key hash, salt): independent across
 * salts for one key, so each stack config draws its own number for a session.
 */
export function saltedUniform(keyHash: number, salt: number): number {
  return (avalanche(Math.imul(keyHash ^ salt, 0x9e3779b1) ^ salt) + 0.5) / TWO_TO_32;
}

/** murmur3's finaliser: keys that differ in one bit differ in about half the output bits. */
function avalanche(value: number): number {
  let hash = value;
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
