import { parseAddress } from './ip-address';
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
  const [addressText, prefixText] = parts;
  const prefix = Number(prefixText);
  const address = parseAddress(addressText);
  if (address === undefined) {
    return `'${addressText}' is not an IPv4 or IPv6 address`;
  }
  const width = address.family === 4 ? 32 : 128;
  if (prefix > width) {
    return `prefix /${prefix} is longer than the ${width} bits of the address`;
  }
  const hostMask = (1n << BigInt(width - prefix)) - 1n;
  if ((address.value & hostMask) !== 0n) {
    return `'${value}' has host bits set; the block starts at a lower address`;
  }
  return undefined;
}
