import { describeValue } from './validation';

/**
 * Checks an IPv4 or IPv6 CIDR block. Host bits must be zero: `10.0.0.1/8` most likely means
 * `10.0.0.0/8`, but a network policy should say exactly what it allows.
 */
export function cidrProblem(value: unknown): string | undefined {
  if (typeof value !== 'string') {
    return `must be a CIDR block such as 10.0.0.0/8 or fd00::/8, got ${describeValue(value)}`;
  }
  const parts = value.split('/');
  if (parts.length !== 2 || !/^\d{1,3}$/.test(parts[1])) {
    return `'${value}' is not a CIDR block (address/prefix, e.g. 10.0.0.0/8)`;
  }
  const [address, prefixText] = parts;
  const prefix = Number(prefixText);
  const bits = address.includes(':') ? ipv6Bits(address) : ipv4Bits(address);
  if (bits === undefined) {
    return `'${address}' is not an IPv4 or IPv6 address`;
  }
  if (prefix > bits.length) {
    return `prefix /${prefix} is longer than the ${bits.length} bits of the address`;
  }
  if (bits.slice(prefix).includes('1')) {
    return `'${value}' has host bits set; the block starts at a lower address`;
  }
  return undefined;
}

function ipv4Bits(address: string): string | undefined {
  const octets = address.split('.');
  if (octets.length !== 4 || !octets.every((octet) => /^(0|[1-9]\d{0,2})$/.test(octet) && Number(octet) <= 255)) {
    return undefined;
  }
  return octets.map((octet) => Number(octet).toString(2).padStart(8, '0')).join('');
}

function ipv6Bits(address: string): string | undefined {
  const halves = address.split('::');
  if (halves.length > 2) {
    return undefined;
  }
  const groupsOf = (text: string): string[] => (text === '' ? [] : text.split(':'));
  const head = groupsOf(halves[0]);
  const tail = halves.length === 2 ? groupsOf(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if ((halves.length === 1 && missing !== 0) || (halves.length === 2 && missing < 1)) {
    return undefined;
  }
  const groups = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  if (!groups.every((group) => /^[0-9a-fA-F]{1,4}$/.test(group))) {
    return undefined;
  }
  return groups.map((group) => parseInt(group, 16).toString(2).padStart(16, '0')).join('');
}
