import { IncomingMessage } from 'node:http';
import { VirtualHostTable, parseVirtualHosts, requestHostName } from './virtual-hosts';

const requestFor = (host: string | undefined) => ({ headers: host === undefined ? {} : { host } }) as IncomingMessage;

describe(parseVirtualHosts.name, () => {
  it('reads hosts and path prefixes per stack and environment', () => {
    expect(parseVirtualHosts(' shop/production = shop.example.com, WWW.Shop.example.com ; shop/staging=/staging/shop,/preview ;')).toEqual([
      { stack: 'shop', environment: 'production', hosts: ['shop.example.com', 'www.shop.example.com'], pathPrefixes: [] },
      { stack: 'shop', environment: 'staging', hosts: [], pathPrefixes: ['/staging/shop', '/preview'] },
    ]);
  });

  it.each([
    ['', 'names no virtual host'],
    ['shop=shop.example.com', "'shop=shop.example.com' must be stack/environment=host-or-/prefix"],
    ['Shop/production=a.example.com', 'must be stack/environment='],
    ['shop/production=', "'shop/production=' names no host and no path prefix"],
    ['shop/production=shop.example.com:8080', "'shop.example.com:8080' in 'shop/production=shop.example.com:8080' is neither a host name"],
    ['shop/production=/a b', "'/a b' in 'shop/production=/a b' is not a path prefix"],
    ['shop/production=a.example.com;search/production=a.example.com', "a.example.com is claimed by both 'shop/production=a.example.com' and 'search/production=a.example.com'"],
    ['shop/production=a.example.com;shop/production=/shop', 'shop/production is claimed by both'],
  ])('refuses %j: %s', (text, message) => {
    expect(() => parseVirtualHosts(text)).toThrow(message);
  });
});

describe(requestHostName.name, () => {
  it.each([
    ['shop.example.com', 'shop.example.com'],
    ['Shop.Example.com:8080', 'shop.example.com'],
    ['[::1]:8000', '[::1]'],
    ['[::1]', '[::1]'],
  ])('reads %s as %s', (host, name) => {
    expect(requestHostName(requestFor(host))).toBe(name);
  });

  it('is undefined without a Host', () => {
    expect(requestHostName(requestFor(undefined))).toBeUndefined();
  });
});

describe(VirtualHostTable.name, () => {
  const specs = parseVirtualHosts('shop/production=shop.example.com,/shop;search/production=/shop/search;docs/production=docs.example.com');
  const sut = new VirtualHostTable(['shop', 'search', 'docs'], specs);

  it.each([
    ['shop.example.com:8000', '/shop/search/x', 'shop'],
    ['docs.example.com', '/shop', 'docs'],
    ['gateway.internal', '/shop/search/x', 'search'],
    ['gateway.internal', '/shop/cart', 'shop'],
    [undefined, '/shop', 'shop'],
  ])('takes Host %s before the longest prefix of %s', (host, path, expected) => {
    expect(sut.select(requestFor(host), path)).toBe(expected);
  });

  it('chooses none for a Host and path nobody claimed', () => {
    expect(sut.select(requestFor('other.example.com'), '/cart')).toBeUndefined();
  });

  it('sends every request to the one entry of a gateway serving one stack', () => {
    expect(new VirtualHostTable(['only'], undefined).select(requestFor('anything'), '/anywhere')).toBe('only');
  });

  it('refuses entries and specs that do not pair up', () => {
    expect(() => new VirtualHostTable(['shop'], specs)).toThrow('1 virtual host(s) for 3 spec(s)');
  });
});
