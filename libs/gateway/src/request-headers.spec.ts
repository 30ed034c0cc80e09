import { RequestHeaders, forwardedHeaders } from './request-headers';

describe('forwardedHeaders', () => {
  it('drops hop-by-hop headers and those undici sets, whatever their case, and keeps repeated ones in order', () => {
    const raw = [
      'Host', 'shop.example', 'Connection', 'keep-alive', 'KEEP-ALIVE', 'timeout=5', 'TE', 'trailers', 'Upgrade', 'h2c', 'Trailer', 'x',
      'Proxy-Connection', 'close', 'Transfer-Encoding', 'chunked', 'Expect', '100-continue',
      'Accept', 'text/html', 'X-Tag', 'a', 'x-tag', 'b', 'Cookie', 'session=1', 'Hosts', 'kept', 'x-te', 'kept',
    ];

    expect(forwardedHeaders(raw)).toEqual(['Accept', 'text/html', 'X-Tag', 'a', 'x-tag', 'b', 'Cookie', 'session=1', 'Hosts', 'kept', 'x-te', 'kept']);
  });
});

describe(RequestHeaders.name, () => {
  const sut = new RequestHeaders();

  it.each([
    [['Content-Length', '12'], true],
    [['content-length', '0'], false],
    [['Content-Length', '0', 'Transfer-Encoding', 'chunked'], false],
    [['TRANSFER-ENCODING', 'chunked'], true],
    [['Accept', '*/*'], false],
  ])('reads %j as a request with a body: %s', (raw, hasBody) => {
    expect(sut.scan(raw).hasBody).toBe(hasBody);
  });

  it('sees an Idempotency-Key, forwards it, and starts over on the next request', () => {
    expect(sut.scan(['Idempotency-Key', 'k-1', 'Content-Length', '0'])).toMatchObject({ hasIdempotencyKey: true, forwarded: ['Idempotency-Key', 'k-1', 'Content-Length', '0'] });
    expect(sut.scan(['Accept', '*/*'])).toMatchObject({ hasIdempotencyKey: false, hasBody: false, forwarded: ['Accept', '*/*'] });
  });

  it('hands out a new forwarded list per request, since an exchange keeps its own for a retry', () => {
    const first = sut.scan(['X-A', '1']).forwarded;
    sut.scan(['X-B', '2']);
    expect(first).toEqual(['X-A', '1']);
  });
});
