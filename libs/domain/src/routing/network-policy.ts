import { parseAddress } from '../components/ip-address';
import { NetworkPolicySpec } from '../components/specs/network-policy-spec';

/** How the policy reads a caller; the gateway implements it over node:http. */
export interface Caller {
  readonly sourceAddress: string;
  header(name: string): string | undefined;
}

interface ParsedBlock {
  family: 4 | 6;
  network: bigint;
  mask: bigint;
}

/**
 * The allow rules of a network-policy version for one destination component, compiled once.
 * `{component}` peers name a caller by its identity, which an edge gateway cannot verify from a
 * request; they never match here (a mesh sidecar with mTLS identities enforces them).
 */
export class NetworkPolicyEvaluator {
  private readonly headerRules: { header: string; values: ReadonlySet<string> }[] = [];
  private readonly blocks: ParsedBlock[] = [];
  private readonly allowByDefault: boolean;

  constructor(spec: NetworkPolicySpec, destination: string) {
    this.allowByDefault = spec.default === 'allow';
    for (const rule of spec.allow) {
      if (rule.to !== destination) {
        continue;
      }
      if ('header' in rule.from) {
        this.headerRules.push({ header: rule.from.header.toLowerCase(), values: new Set(rule.from.values) });
      } else if ('cidr' in rule.from) {
        const block = parseBlock(rule.from.cidr);
        if (block) {
          this.blocks.push(block);
        }
      }
    }
  }

  isAllowed(caller: Caller): boolean {
    if (this.allowByDefault) {
      return true;
    }
    for (const rule of this.headerRules) {
      const value = caller.header(rule.header);
      if (value !== undefined && rule.values.has(value)) {
        return true;
      }
    }
    if (this.blocks.length > 0) {
      const address = parseAddress(caller.sourceAddress);
      if (address) {
        for (const block of this.blocks) {
          if (block.family === address.family && (address.value & block.mask) === block.network) {
            return true;
          }
        }
      }
    }
    return false;
  }
}

function parseBlock(cidr: string): ParsedBlock | undefined {
  const [addressText, prefixText] = cidr.split('/');
  const address = parseAddress(addressText);
  if (!address) {
    return undefined;
  }
  const bits = address.family === 4 ? 32n : 128n;
  const prefix = BigInt(prefixText);
  const mask = prefix === 0n ? 0n : ((1n << prefix) - 1n) << (bits - prefix);
  return { family: address.family, network: address.value & mask, mask };
}
