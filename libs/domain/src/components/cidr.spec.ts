import { cidrProblem } from './cidr';

describe(cidrProblem.name, () => {
  const sut = cidrProblem;

  it.each(['127.0.0.0/8', '10.0.0.0/8', '192.168.1.0/24', '10.1.2.3/32', '0.0.0.0/0', 'fd00::/8', '::/0', '::1/128', '2001:db8::/32', '2001:db8:0:0:0:0:0:0/64', 'fe80::1:0/112'])(
    'accepts %p',
    (cidr) => {
      expect(sut(cidr)).toBeUndefined();
    },
  );

  it.each([
    ['10.0.0.0', 'is not a CIDR block'],
    ['10.0.0.0/', 'is not a CIDR block'],
    ['10.0.0.0/8/8', 'is not a CIDR block'],
    ['10.0.0.0/x', 'is not a CIDR block'],
    ['256.0.0.0/8', 'is not an IPv4 or IPv6 address'],
    ['10.0.0/8', 'is not an IPv4 or IPv6 address'],
    ['010.0.0.0/8', 'is not an IPv4 or IPv6 address'],
    ['10.0.0.0/33', 'longer than the 32 bits'],
    ['fd00::/129', 'longer than the 128 bits'],
    ['fd00::1::/64', 'is not an IPv4 or IPv6 address'],
    ['fd00:1:2:3:4:5:6:7:8/64', 'is not an IPv4 or IPv6 address'],
    ['fd00:1:2:3:4:5:6/64', 'is not an IPv4 or IPv6 address'],
    ['gd00::/8', 'is not an IPv4 or IPv6 address'],
    ['10.0.0.1/8', 'has host bits set'],
    ['fd00::1/64', 'has host bits set'],
  ])('refuses %p', (cidr, problem) => {
    expect(sut(cidr)).toContain(problem);
  });

  it('refuses a value that is not text', () => {
    expect(sut(10)).toMatch(/^must be a CIDR block/);
  });
});
