import { networkInterfaces } from 'node:os';
import { RoutingPolicy } from '@strata/domain';

/** Where this gateway listens, and the addresses of its own machine. */
export interface ListeningAddress {
  host: string;
  port: number;
  localAddresses: ReadonlySet<string>;
}

export interface OwnNode {
  field: string;
  id: string;
  url: string;
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::', '[::]']);

function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The host as a URL's `hostname` spells it: IPv6 literals in brackets. */
function urlHost(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

/** This machine's interface addresses, as URL hostnames, for gateways listening on every interface. */
export function localInterfaceAddresses(): Set<string> {
  const addresses = new Set<string>();
  for (const entries of Object.values(networkInterfaces())) {
    for (const entry of entries ?? []) {
      addresses.add(urlHost(entry.address));
    }
  }
  return addresses;
}

/**
 * The first backend node whose origin is this gateway. routing-control cannot know where each
 * gateway listens, so only the gateway can see that such a config would forward every request
 * back to itself, each hop opening one more connection, until it runs out of sockets.
 */
export function nodePointingAtGateway(config: RoutingPolicy, listening: ListeningAddress): OwnNode | undefined {
  const host = urlHost(listening.host);
  for (const [configIndex, stackConfig] of config.stackConfigs.entries()) {
    for (const [nodeIndex, node] of stackConfig.nodes.entries()) {
      const url = new URL(node.url);
      const port = url.port === '' ? (url.protocol === 'https:' ? 443 : 80) : Number(url.port);
      if (port !== listening.port) {
        continue;
      }
      const sameHost =
        url.hostname === host ||
        (isLoopback(url.hostname) && (isLoopback(host) || WILDCARD_HOSTS.has(host))) ||
        (WILDCARD_HOSTS.has(host) && listening.localAddresses.has(url.hostname));
      if (sameHost) {
        return { field: `config.stackConfigs[${configIndex}].nodes[${nodeIndex}].url`, id: node.id, url: node.url };
      }
    }
  }
  return undefined;
}
