import { parseAddress } from '../components/ip-address';
import { Caller, NetworkPolicyEvaluator } from './network-policy';

function caller(sourceAddress: string, headers: Record<string, string> = {}): Caller {
  return { sourceAddress, header: (name) => headers[name] };
}

describe(NetworkPolicyEvaluator.name, () => {
  const sut = new NetworkPolicyEvaluator(
    {
      allow: [
        { from: { header: 'X-Caller', values: ['web', 'mobile'] }, to: 'checkout' },
        { from: { cidr: '10.1.0.0/16' }, to: 'checkout' },
        { from: { cidr: 'fd00::/8' }, to: 'checkout' },
        { from: { cidr: '0.0.0.0/0' }, to: 'payments' },
        { from: { component: 'cart' }, to: 'checkout' },
      ],
    },
    'checkout',
  );

  it.each([
    ['an allowed header value', caller('192.168.0.1', { 'x-caller': 'web' }), true],
    ['another allowed header value', caller('192.168.0.1', { 'x-caller': 'mobile' }), true],
    ['a header value not listed', caller('192.168.0.1', { 'x-caller': 'batch' }), false],
    ['an address inside the IPv4 block', caller('10.1.200.3'), true],
    ['an IPv4-mapped address inside the block', caller('::ffff:10.1.0.1'), true],
    ['an address outside the IPv4 block', caller('10.2.0.1'), false],
    ['an address inside the IPv6 block', caller('fd12:3456::1'), true],
    ['an address outside the IPv6 block', caller('fe80::1'), false],
    ['an unparseable address', caller('not-an-address'), false],
    ['a rule for another destination only', caller('8.8.8.8'), false],
  ])('decides %s', (_case, who, allowed) => {
    expect(sut.isAllowed(who)).toBe(allowed);
  });

  it('denies by default', () => {
    expect(new NetworkPolicyEvaluator({ allow: [] }, 'checkout').isAllowed(caller('10.0.0.1'))).toBe(false);
  });

  it('allows everything when the default is allow', () => {
    expect(new NetworkPolicyEvaluator({ allow: [], default: 'allow' }, 'checkout').isAllowed(caller('10.0.0.1'))).toBe(true);
  });

  it('matches every address with a /0 block', () => {
    expect(new NetworkPolicyEvaluator({ allow: [{ from: { cidr: '0.0.0.0/0' }, to: 'checkout' }] }, 'checkout').isAllowed(caller('203.0.113.9'))).toBe(true);
  });
});

describe(parseAddress.name, () => {
  it.each([
    ['127.0.0.1', { family: 4, value: 0x7f000001n }],
    ['::1', { family: 6, value: 1n }],
    ['::ffff:127.0.0.1', { family: 4, value: 0x7f000001n }],
    ['1:2:3:4:5:6:7:8', { family: 6, value: 0x00010002000300040005000600070008n }],
  ])('parses %s', (text, expected) => {
    expect(parseAddress(text)).toEqual(expected);
  });

  it.each(['256.0.0.1', '1.2.3', '1::2::3', '1:2:3:4:5:6:7', 'g::1', ''])('refuses %s', (text) => {
    expect(parseAddress(text)).toBeUndefined();
  });
});
