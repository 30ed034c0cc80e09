import { MAX_AUDITED_JSON_BYTES, auditableBody } from './audit-body';

describe('auditableBody', () => {
  it('keeps JSON as given, with secrets and URL passwords redacted at any depth', () => {
    expect(
      auditableBody(
        { principal: 'ci', token: 'strata_abc', nested: [{ dbPassword: 'p', url: 'postgres://monitor:hunter2@db:5432/shop', plain: 'postgres://db/shop' }], count: 3 },
        'application/json',
      ),
    ).toEqual({ principal: 'ci', token: '[redacted]', nested: [{ dbPassword: '[redacted]', url: 'postgres://monitor:[redacted]@db:5432/shop', plain: 'postgres://db/shop' }], count: 3 });
  });

  it('keeps a secret-named key that is not a string (a structure) and redacts inside it', () => {
    expect(auditableBody({ secret: { value: 'x' }, apiKey: 'k' }, undefined)).toEqual({ secret: { value: 'x' }, apiKey: '[redacted]' });
  });

  it('turns dates into ISO strings and class instances into plain JSON', () => {
    class Answer {
      constructor(readonly at: Date) {}
    }
    expect(auditableBody(new Answer(new Date('2026-12-06T05:00:00Z')), undefined)).toEqual({ at: '2026-12-06T05:00:00.000Z' });
  });

  it('keeps only the size and kind of a text or binary body, and of one too large to copy', () => {
    expect(auditableBody('up{job="x"} 1', 'text/plain')).toEqual({ contentType: 'text/plain', bytes: 13 });
    expect(auditableBody(Buffer.from([1, 2, 3]), 'application/x-protobuf')).toEqual({ contentType: 'application/x-protobuf', bytes: 3 });
    const large = { items: 'x'.repeat(MAX_AUDITED_JSON_BYTES) };
    expect(auditableBody(large, undefined)).toEqual({ contentType: 'application/json', bytes: MAX_AUDITED_JSON_BYTES + 12, summarised: true });
  });

  it('summarises a large body by its size as serialised, secrets and all, and never copies them into the summary', () => {
    const samples = Array.from({ length: 5_000 }, (_, index) => ({ timestamp: 1_764_000_000_000 + index, value: index / 3 }));
    const summary = auditableBody({ token: 'strata_secret', samples }, 'application/json');
    expect(summary).toEqual({ contentType: 'application/json', bytes: Buffer.byteLength(JSON.stringify({ token: 'strata_secret', samples })), summarised: true });
    expect(JSON.stringify(summary)).not.toContain('strata_secret');
  });

  it('summarises a body the client sent larger than the limit by the size it sent, and judges a smaller one as serialised', () => {
    const body = { samples: [{ timestamp: 1, value: 2 }] };
    expect(auditableBody(body, 'application/json', MAX_AUDITED_JSON_BYTES + 1)).toEqual({ contentType: 'application/json', bytes: MAX_AUDITED_JSON_BYTES + 1, summarised: true });
    expect(auditableBody(body, 'application/json', MAX_AUDITED_JSON_BYTES)).toEqual(body);
    expect(auditableBody({ items: 'x'.repeat(MAX_AUDITED_JSON_BYTES) }, undefined, 100)).toMatchObject({ summarised: true, bytes: MAX_AUDITED_JSON_BYTES + 12 });
  });

  it('keeps a body of exactly the limit, and summarises one byte more', () => {
    const sized = (bytes: number) => ({ items: 'x'.repeat(bytes - 12) });
    expect(auditableBody(sized(MAX_AUDITED_JSON_BYTES), undefined)).toEqual(sized(MAX_AUDITED_JSON_BYTES));
    expect(auditableBody(sized(MAX_AUDITED_JSON_BYTES + 1), undefined)).toMatchObject({ bytes: MAX_AUDITED_JSON_BYTES + 1, summarised: true });
  });

  it('has nothing for an empty body', () => {
    expect(auditableBody(undefined, undefined)).toBeNull();
    expect(auditableBody(null, undefined)).toBeNull();
    expect(auditableBody('', 'text/plain')).toBeNull();
  });
});
