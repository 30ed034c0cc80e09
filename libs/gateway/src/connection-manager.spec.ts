import { forwardedHeaders } from './connection-manager';

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
