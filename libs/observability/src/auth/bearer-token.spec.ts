import { ACCEPTABLE_BEARER_TOKEN, TOKEN_PREFIX, bearerTokenOf, generateTokenSecret, hashTokenSecret, tokenHashesEqual } from './bearer-token';

describe(generateTokenSecret.name, () => {
  it('makes prefixed, acceptable, distinct secrets of 256 random bits', () => {
    const secrets = new Set(Array.from({ length: 100 }, () => generateTokenSecret()));
    expect(secrets.size).toBe(100);
    for (const secret of secrets) {
      expect(secret.startsWith(TOKEN_PREFIX)).toBe(true);
      expect(Buffer.from(secret.slice(TOKEN_PREFIX.length), 'base64url')).toHaveLength(32);
      expect(ACCEPTABLE_BEARER_TOKEN.test(secret)).toBe(true);
    }
  });
});

describe(hashTokenSecret.name, () => {
  it('is the hex SHA-256 of the secret, never the secret', () => {
    expect(hashTokenSecret('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    const secret = generateTokenSecret();
    expect(hashTokenSecret(secret)).not.toContain(secret.slice(TOKEN_PREFIX.length));
  });
});

describe(tokenHashesEqual.name, () => {
  it('is true only for the same digest', () => {
    const hash = hashTokenSecret('one');
    expect(tokenHashesEqual(hash, hashTokenSecret('one'))).toBe(true);
    expect(tokenHashesEqual(hash, hashTokenSecret('two'))).toBe(false);
    expect(tokenHashesEqual(hash, hash.slice(0, 32))).toBe(false);
    expect(tokenHashesEqual('', '')).toBe(false);
  });
});

describe(bearerTokenOf.name, () => {
  const sut = bearerTokenOf;
  const token = generateTokenSecret();

  it('takes the token of a Bearer header, whatever the scheme case', () => {
    expect(sut(`Bearer ${token}`)).toBe(token);
    expect(sut(`bearer ${token}`)).toBe(token);
  });

  it('refuses other schemes, missing, short or malformed tokens', () => {
    expect(sut(undefined)).toBeUndefined();
    expect(sut(`Basic ${token}`)).toBeUndefined();
    expect(sut('Bearer short')).toBeUndefined();
    expect(sut(`Bearer ${token} extra`)).toBeUndefined();
    expect(sut(`Bearer ${'é'.repeat(40)}`)).toBeUndefined();
  });
});
