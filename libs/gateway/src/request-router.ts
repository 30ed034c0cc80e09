import { IncomingMessage } from 'node:http';
import { DomainViolation, NO_STACK_CONFIG, routesAccept, routesToNode } from '@strata/domain';
import { CompiledRoutingPolicy, UpstreamNode } from './compiled-routing-policy';
import { requestDefect } from './request-guard';
import { RequestOutcome } from './request-outcomes';
import { RequestView } from './request-view';
import { RoutingModeReport } from './routing-mode-report';

/** A stack and environment the gateway serves: the routing served for it and its routing-mode sink. */
export interface RoutedHost {
  /** Replaced whole when a config is installed; undefined until one is. */
  routing: CompiledRoutingPolicy | undefined;
  readonly mode: RoutingModeReport;
}

/** Which stack and environment a request is for (VirtualHostTable). */
export interface HostSelector {
  select(request: IncomingMessage, path: string): RoutedHost | undefined;
}

/**
 * The router: where a request goes, or why it goes nowhere. Guard (Host, request target) →
 * virtual host (by Host or path prefix) → routing served? → network policy → the deployed
 * lb-rule's routes → weighted pick of a stack config (rules, stickiness, weights) → P2C pick of a
 * node. The connection manager forwards what it routes, plain requests and upgrades alike.
 */
export class RequestRouter {
  private readonly view = new RequestView();
  private readonly routed = new Route();

  constructor(private readonly hosts: HostSelector) {}

  /** Guard, virtual host, network policy, routes, stack config and node: the route of a request, or why there is none. */
  route(request: IncomingMessage): Route | Refusal {
    const defect = requestDefect(request);
    if (defect) {
      // The framing of what follows on this connection is as doubtful as this request: close it.
      return new Refusal(400, defect.slug, defect.detail, [defect.violation], true);
    }
    const path = pathOf(request.url as string);
    const host = this.hosts.select(request, path);
    if (!host) {
      return new Refusal(404, 'no-virtual-host', 'no stack served by this gateway is chosen by this Host or path');
    }
    const routing = host.routing;
    if (!routing) {
      return new Refusal(503, 'no-stack-config', 'no valid stack configuration: no routing config has reached this gateway yet');
    }
    const view = this.view.bind(request, path);
    if (routing.networkPolicy && !routing.networkPolicy.isAllowed(view)) {
      routing.deniedRequests++;
      return new Refusal(403, 'denied-by-network-policy', `the network policy does not allow this caller to reach ${routing.update.config.component}`);
    }
    if (routing.routes && !routesAccept(routing.routes, view)) {
      return new Refusal(404, 'no-route', `no route of the deployed lb-rule matches ${request.method} ${view.path}`);
    }
    const stackConfigIndex = routing.router.choose(view, routing.draw());
    if (stackConfigIndex === NO_STACK_CONFIG) {
      return new Refusal(503, 'no-stack-config', 'no valid stack configuration: no stack config has a backend node');
    }
    host.mode.countRequest(routing.router.mode, stackConfigIndex);
    const node = routing.pickNode(stackConfigIndex);
    if (!node) {
      return new Refusal(503, 'no-healthy-node', `no healthy backend node in stack config ${routing.router.names[stackConfigIndex]}`);
    }
    return this.routed.set(host, routing, stackConfigIndex, node);
  }

  /**
   * Whether `routing` would still send this request to `node` of `stackConfig`: its network policy
   * and routes admit it and the stack config still takes new requests on that node (routesToNode).
   * What keeps an upgraded connection, routed under an earlier routing, open.
   */
  stillRoutes(routing: CompiledRoutingPolicy, request: IncomingMessage, stackConfig: string, node: UpstreamNode): boolean {
    const view = new RequestView().bind(request, pathOf(request.url as string));
    const admitted = (!routing.networkPolicy || routing.networkPolicy.isAllowed(view)) && (!routing.routes || routesAccept(routing.routes, view));
    return admitted && routesToNode(routing.update.config, stackConfig, node.url, view);
  }
}

/** Why a request is not routed: answered by the gateway itself. */
export class Refusal {
  constructor(
    readonly status: number,
    readonly slug: RequestOutcome,
    readonly detail: string,
    readonly errors?: DomainViolation[],
    /** The request's framing is in doubt, so is the rest of its connection. */
    readonly closeConnection = false,
  ) {}
}

/** The route of one request; one instance reused (routing is synchronous). */
export class Route {
  host!: RoutedHost;
  routing!: CompiledRoutingPolicy;
  stackConfigIndex = NO_STACK_CONFIG;
  node!: UpstreamNode;

  set(host: RoutedHost, routing: CompiledRoutingPolicy, stackConfigIndex: number, node: UpstreamNode): this {
    this.host = host;
    this.routing = routing;
    this.stackConfigIndex = stackConfigIndex;
    this.node = node;
    return this;
  }
}

export function pathOf(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
