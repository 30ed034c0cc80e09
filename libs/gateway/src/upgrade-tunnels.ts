import { ClientRequest, IncomingMessage, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { metricsRegistry } from '@strata/observability';
import { Gauge } from 'prom-client';
import { UpstreamNode } from './compiled-routing-policy';
import { UpstreamExchangeListener, rawAnswerHead, reportedVersionOf } from './upstream-response-handler';

/** How long a tunnel may take to finish once one side ended its stream or closed: a half-closed tunnel is not kept forever. */
const CLOSING_GRACE_MS = 5_000;
/** TCP keep-alive on both sides of an open tunnel: a peer gone without a FIN is found within minutes, not never. */
const TCP_KEEP_ALIVE_MS = 60_000;

/** An upgrade request routed to a node: what a tunnel needs to open. */
export interface UpgradeRoute {
  readonly request: IncomingMessage;
  /** The caller's connection, handed over by node:http. */
  readonly socket: Duplex;
  /** The bytes the caller sent after its request headers. */
  readonly head: Buffer;
  /** The forwarded request headers (`[name, value, …]`, hop-by-hop ones and Host left out). */
  readonly headers: readonly string[];
  /** The virtual host that routed it: a routing installed there decides whether the tunnel stays. */
  readonly owner: object;
  readonly stackConfig: string;
  readonly node: UpstreamNode;
  /** The gateway's own headers on the answer (`[name, value, …]`). */
  readonly answerHeaders: readonly string[];
}

/**
 * Protocol upgrades (WebSocket, or any `Upgrade` a backend accepts): the upgrade request goes to
 * the node the request path chose, on a connection of its own (an upgraded connection never
 * returns to a pool, as with nginx). A `101` is relayed and the two connections are spliced byte
 * for byte until either side closes; any other answer is relayed as the final answer and the
 * caller's connection closed, since node:http has handed it over. A tunnel stays open only while
 * the routing of its virtual host still routes to its node (`retain`).
 */
export class UpgradeTunnels {
  private readonly tunnels = new Set<Tunnel>();

  constructor(private readonly handshakeTimeoutMs: number) {
    everyTunnelSet.add(this);
  }

  open(route: UpgradeRoute, listener: UpstreamExchangeListener): void {
    const tunnel = new Tunnel(route, listener, () => this.tunnels.delete(tunnel));
    this.tunnels.add(tunnel);
    tunnel.start(this.handshakeTimeoutMs);
  }

  /** Tunnels open or opening: `strata_gateway_upgraded_connections`. */
  get size(): number {
    return this.tunnels.size;
  }

  /** Closes each open tunnel of `owner` that `keep` no longer admits; returns how many were closed. */
  retain(owner: object, keep: (route: UpgradeRoute) => boolean): number {
    let closed = 0;
    for (const tunnel of this.tunnels) {
      if (tunnel.route.owner === owner && tunnel.spliced && !keep(tunnel.route)) {
        tunnel.destroy();
        closed++;
      }
    }
    return closed;
  }

  /** On stop: every tunnel and handshake closed now; the set leaves the gauge. */
  closeAll(): void {
    for (const tunnel of this.tunnels) {
      tunnel.destroy();
    }
    everyTunnelSet.delete(this);
  }
}

/** The tunnels of every data plane in this process (tests start several gateways; a cluster worker has one). */
const everyTunnelSet = new Set<UpgradeTunnels>();

new Gauge({
  name: 'strata_gateway_upgraded_connections',
  help: 'Upgraded connections (WebSocket) the gateway tunnels now, handshakes in flight included',
  registers: [metricsRegistry],
  collect() {
    let open = 0;
    everyTunnelSet.forEach((tunnels) => (open += tunnels.size));
    this.set(open);
  },
});

class Tunnel {
  private upstreamRequest: ClientRequest | undefined;
  private upstreamSocket: Socket | undefined;
  private settled = false;
  private callerGone = false;
  /** The status of a declined upgrade's answer once its head was written to the caller; 0 before. */
  private answering = 0;
  private closedSides = 0;
  private closing: NodeJS.Timeout | undefined;
  private finished = false;

  constructor(
    readonly route: UpgradeRoute,
    private readonly listener: UpstreamExchangeListener,
    private readonly onFinished: () => void,
  ) {}

  get spliced(): boolean {
    return this.upstreamSocket !== undefined;
  }

  start(timeoutMs: number): void {
    const { request, socket, node, headers } = this.route;
    // node:http leaves the handed-over socket flowing with no data listener: bytes would be lost.
    socket.pause();
    socket.on('error', () => socket.destroy());
    socket.on('end', () => this.callerEnded());
    socket.on('close', () => this.callerClosed());
    const origin = new URL(node.url);
    const send = origin.protocol === 'https:' ? httpsRequest : httpRequest;
    const upstream = send({
      hostname: origin.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: origin.port,
      path: request.url,
      method: request.method,
      headers: ['host', origin.host, ...headers, 'connection', 'upgrade', 'upgrade', request.headers.upgrade ?? ''],
      agent: false,
      timeout: timeoutMs,
    });
    this.upstreamRequest = upstream;
    upstream.on('upgrade', (answer: IncomingMessage, upstreamSocket: Socket, upstreamHead: Buffer) => this.opened(answer, upstreamSocket, upstreamHead));
    upstream.on('response', (answer: IncomingMessage) => this.declined(answer));
    upstream.on('timeout', () => upstream.destroy(new Error(`the backend did not answer the upgrade within ${timeoutMs} ms`)));
    upstream.on('error', (error: Error) => this.failed(error));
    upstream.end();
  }

  /**
   * The backend switched protocols: relay its 101, then splice the two connections. Unless the
   * caller left meanwhile, or the routing installed during the handshake no longer routes here
   * (the listener says so), in which case both connections close.
   */
  private opened(answer: IncomingMessage, upstreamSocket: Socket, upstreamHead: Buffer): void {
    const { socket, head, node } = this.route;
    const status = answer.statusCode ?? 101;
    const stillRouted = this.listener.onResponseHead(status, reportedVersionOf(answer));
    if (this.callerGone || socket.destroyed || !stillRouted) {
      upstreamSocket.destroy();
      socket.destroy();
      this.callerGone ||= stillRouted;
      this.settle(status, stillRouted ? new Error('the caller closed the connection') : undefined);
      return;
    }
    this.upstreamSocket = upstreamSocket;
    // An open tunnel counts as a request in flight on its node, so the node pick spreads tunnels as it spreads requests.
    node.outstanding++;
    upstreamSocket.setTimeout(0);
    upstreamSocket.setKeepAlive(true, TCP_KEEP_ALIVE_MS);
    (socket as Socket).setKeepAlive?.(true, TCP_KEEP_ALIVE_MS);
    socket.write(rawAnswerHead(answer, false, this.route.answerHeaders));
    if (upstreamHead.length > 0) {
      socket.write(upstreamHead);
    }
    if (head.length > 0) {
      upstreamSocket.write(head);
    }
    upstreamSocket.on('error', () => upstreamSocket.destroy());
    upstreamSocket.on('end', () => this.closeSoon());
    upstreamSocket.on('close', () => this.sideClosed(socket));
    // pipe() passes each side's end on to the other, with backpressure both ways.
    socket.pipe(upstreamSocket);
    upstreamSocket.pipe(socket);
    this.settle(status, undefined);
  }

  /** The backend answered without switching: that is the final answer, and the caller's connection closes after it. */
  private declined(answer: IncomingMessage): void {
    const status = answer.statusCode ?? 502;
    const { socket } = this.route;
    this.listener.onResponseHead(status, reportedVersionOf(answer));
    if (this.callerGone || socket.destroyed) {
      answer.destroy();
      this.callerGone = true;
      this.settle(status, new Error('the caller closed the connection'));
      return;
    }
    this.answering = status;
    // The body may take its time, as on the request path (no body timeout); the handshake's timeout is over.
    this.upstreamRequest?.setTimeout(0);
    // Whatever the caller still sends is for no one: read and dropped, so its end can arrive.
    socket.resume();
    socket.write(rawAnswerHead(answer, true, this.route.answerHeaders));
    answer.pipe(socket, { end: false });
    answer.on('end', () => {
      this.settle(status, undefined);
      socket.end();
      this.closeSoon();
    });
    answer.on('aborted', () => this.failed(new Error('the backend closed the connection in the middle of its answer')));
  }

  private failed(error: Error): void {
    if (this.settled) {
      return;
    }
    if (this.answering !== 0) {
      // A truncated answer must not pass for a whole one.
      this.route.socket.destroy();
    }
    this.settle(this.answering, error);
  }

  private settle(statusCode: number, error: Error | undefined): void {
    if (!this.settled) {
      this.settled = true;
      this.listener.onEnd(statusCode, error, this.callerGone);
    }
  }

  /**
   * The caller ended its stream. In an open tunnel, pipe() passes that on. Before that, the caller
   * has left (as node:http's server takes a caller's end for an aborted request): the handshake
   * or the declined answer is abandoned.
   */
  private callerEnded(): void {
    if (this.upstreamSocket) {
      this.closeSoon();
    } else {
      this.callerLeft();
    }
  }

  private callerClosed(): void {
    if (this.upstreamSocket) {
      this.sideClosed(this.upstreamSocket);
      return;
    }
    this.callerLeft();
    this.finish();
  }

  /** The caller went away before the exchange ended: the upstream request is abandoned, and it is not the node's fault. */
  private callerLeft(): void {
    if (this.settled) {
      return;
    }
    this.callerGone = true;
    this.route.socket.destroy();
    this.upstreamRequest?.destroy();
    this.settle(this.answering, new Error('the caller closed the connection'));
  }

  /** One side of an open tunnel closed: the other is ended (what it has queued still flushes), and destroyed if it lingers. */
  private sideClosed(other: Duplex): void {
    this.closedSides++;
    if (this.closedSides === 2) {
      this.finish();
      return;
    }
    other.end();
    this.closeSoon();
  }

  private closeSoon(): void {
    this.closing ??= setTimeout(() => this.destroy(), CLOSING_GRACE_MS).unref();
  }

  /** Both connections are closed: the tunnel lets go of its node and leaves the set. */
  private finish(): void {
    if (this.finished) {
      return;
    }
    this.finished = true;
    clearTimeout(this.closing);
    if (this.upstreamSocket) {
      this.route.node.outstanding--;
    }
    this.onFinished();
  }

  destroy(): void {
    this.route.socket.destroy();
    this.upstreamSocket?.destroy();
    this.upstreamRequest?.destroy();
  }
}
