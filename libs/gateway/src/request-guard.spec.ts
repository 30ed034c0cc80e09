import { GuardedRequest, requestDefect } from './request-guard';

describe(requestDefect.name, () => {
  const request = (url: string, rawHeaders: string[], version: '1.1' | '1.0' = '1.1'): GuardedRequest => ({
    url,
    rawHeaders,
    httpVersionMajor: 1,
    httpVersionMinor: version === '1.1' ? 1 : 0,
  });

  it.each([
    ['/', ['Host', 'shop.example.com']],
    ['/cart?item=1', ['host', 'shop.example.com:8443', 'Accept', '*/*']],
    ['/', ['HOST', '127.0.0.1:8000']],
    ['/', ['Host', '[::1]:8000']],
  ])('lets %s with headers %j through', (url, headers) => {
    expect(requestDefect(request(url, headers))).toBeUndefined();
  });

  it('lets an HTTP/1.0 request without Host through', () => {
    expect(requestDefect(request('/', [], '1.0'))).toBeUndefined();
  });

  it('refuses two Host headers, whatever their case, naming the header', () => {
    expect(requestDefect(request('/', ['Host', 'shop.example.com', 'hOsT', 'evil.example.com']))).toEqual({
      slug: 'invalid-host-header',
      detail: 'the request has 2 Host headers; exactly one is allowed',
      violation: { field: 'host', message: 'appears 2 times; exactly one is allowed' },
    });
  });

  it('refuses two Host headers on HTTP/1.0 too', () => {
    expect(requestDefect(request('/', ['Host', 'a', 'Host', 'b'], '1.0'))).toMatchObject({ slug: 'invalid-host-header' });
  });

  it('refuses an HTTP/1.1 request without Host', () => {
    expect(requestDefect(request('/', ['Accept', '*/*']))).toEqual({
      slug: 'invalid-host-header',
      detail: 'the request has no Host header; HTTP/1.1 requires exactly one',
      violation: { field: 'host', message: 'is required' },
    });
  });

  it.each(['', 'shop example', 'a/b', 'shop.example.com:80:80', 'user@shop'])('refuses the Host value %j', (host) => {
    expect(requestDefect(request('/', ['Host', host]))).toMatchObject({ slug: 'invalid-host-header', violation: { field: 'host', message: 'must be host[:port]' } });
  });

  it.each([
    ['http://evil.example.com/', 'absolute-form'],
    ['HTTPS://evil.example.com/admin', 'absolute-form'],
    ['*', 'asterisk-form (*)'],
    ['evil.example.com:443', 'not origin-form'],
    ['', 'not origin-form'],
  ])('refuses the request target %j as %s', (url, form) => {
    expect(requestDefect(request(url, ['Host', 'shop.example.com']))).toEqual({
      slug: 'invalid-request-target',
      detail: `the request target is ${form}: this gateway serves only origin-form targets, a path starting with '/' (the host goes in the Host header)`,
      violation: { field: 'request-target', message: 'must be a path starting with /' },
    });
  });
});
