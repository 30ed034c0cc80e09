import { ClientRequest, IncomingMessage, STATUS_CODES, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { UpstreamNode } from './compiled-routing-policy';
import { RETRIED_FROM_HEADER, STACK_CONFIG_HEADER, VERSION_HEADER } from './gateway-headers';
import { UpstreamExchangeListener, isNotRelayed } from './upstream-response-handler';

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

  constructor(private readonly handshakeTimeoutMs: number) {}

  open(route: UpgradeRoute, listener: UpstreamExchangeListener): void {
    const tunnel = new Tunnel(route, listener, () => this.tunnels.delete(tunnel));
    this.tunnels.add(tunnel);
    tunnel.start(this.handshakeTimeoutMs);
  }

  /** Tunnels open or opening. */
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

  /** On stop: every tunnel and handshake closed now. */
  closeAll(): void {
    for (const tunnel of this.tunnels) {
      tunnel.destroy();
    }
  }
}

class Tunnel {
  private upstreamRequest: ClientRequest | undefined;
  private upstreamSocket: Socket | undefined;
  private settled = false;
  private callerGone = false;
  /** The status of a declined upgrade's answer once its head was written to the caller; 0 before. */
  private answering = 0;
  private closedSides = 0;
  private closing: NodeJS.Timeout | undefined;

  constructor(
    readonly route: UpgradeRoute,
    private readonly listener: UpstreamExchangeListener,
    private readonly onClosed: () => void,
  ) {}

  get spliced(): boolean {
    return this.upstreamSocket !== undefined;
  }

  start(timeoutMs: number): void {
    const { request, socket, node, headers } = this.route;
    // node:http leaves the handed-over socket flowing with no data listener: bytes would be lost.
    socket.pause();
    socket.on('error', () => socket.destroy());
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

  /** The backend switched protocols: relay its 101, then splice the two connections. */
  private opened(answer: IncomingMessage, upstreamSocket: Socket, upstreamHead: Buffer): void {
    const { socket, head } = this.route;
    this.listener.onResponseHead(answer.statusCode ?? 101, reportedVersion(answer));
    if (this.callerGone || socket.destroyed) {
      upstreamSocket.destroy();
      this.settle(answer.statusCode ?? 101, new Error('the caller closed the connection'));
      return;
    }
    this.upstreamSocket = upstreamSocket;
    upstreamSocket.setTimeout(0);
    upstreamSocket.setKeepAlive(true, TCP_KEEP_ALIVE_MS);
    (socket as Socket).setKeepAlive?.(true, TCP_KEEP_ALIVE_MS);
    socket.write(this.answerHead(answer, false));
    if (upstreamHead.length > 0) {
      socket.write(upstreamHead);
    }
    if (head.length > 0) {
      upstreamSocket.write(head);
    }
    upstreamSocket.on('error', () => upstreamSocket.destroy());
    upstreamSocket.on('close', () => this.sideClosed(socket));
    // A side that ended its stream has said all it will: the tunnel gets a grace period to finish, not forever.
    socket.once('end', () => this.closeSoon());
    upstreamSocket.once('end', () => this.closeSoon());
    // pipe() passes each side's end on to the other, with backpressure both ways.
    socket.pipe(upstreamSocket);
    upstreamSocket.pipe(socket);
    this.settle(answer.statusCode ?? 101, undefined);
  }

  /** The backend answered without switching: that is the final answer, and the caller's connection closes after it. */
  private declined(answer: IncomingMessage): void {
    const status = answer.statusCode ?? 502;
    const { socket } = this.route;
    this.listener.onResponseHead(status, reportedVersion(answer));
    if (this.callerGone || socket.destroyed) {
      answer.destroy();
      return;
    }
    this.answering = status;
    socket.write(this.answerHead(answer, true));
    answer.pipe(socket);
    answer.on('end', () => this.settle(status, undefined));
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

  private callerClosed(): void {
    if (this.upstreamSocket) {
      this.sideClosed(this.upstreamSocket);
      return;
    }
    if (!this.settled) {
      this.callerGone = true;
      this.upstreamRequest?.destroy(new Error('the caller closed the connection'));
    }
    this.onClosed();
  }

  /** One side of an open tunnel closed: the other is ended (what it has queued still flushes), and destroyed if it lingers. */
  private sideClosed(other: Duplex): void {
    this.closedSides++;
    if (this.closedSides === 2) {
      this.onClosed();
      return;
    }
    other.end();
    this.closeSoon();
  }

  private closeSoon(): void {
    if (!this.closing) {
      this.closing = setTimeout(() => this.destroy(), CLOSING_GRACE_MS).unref();
    }
  }

  destroy(): void {
    this.route.socket.destroy();
    this.upstreamSocket?.destroy();
    this.upstreamRequest?.destroy();
  }

  /**
   * The status line and headers for the caller. A 101 keeps the backend's Connection and Upgrade
   * (they are the handshake); another answer loses its hop-by-hop headers, as on the request path,
   * and closes the connection (its body, decoded by node:http, is then framed by the close when it
   * has no Content-Length). The gateway's own headers replace any the backend sent.
   */
  private answerHead(answer: IncomingMessage, final: boolean): Buffer {
    const status = answer.statusCode ?? 502;
    let head = `HTTP/1.1 ${status} ${answer.statusMessage || STATUS_CODES[status] || ''}\r\n`;
    const raw = answer.rawHeaders;
    for (let index = 0; index < raw.length; index += 2) {
      const lower = raw[index].toLowerCase();
      if (lower === STACK_CONFIG_HEADER || lower === RETRIED_FROM_HEADER || (final && isNotRelayed(lower))) {
        continue;
      }
      head += `${raw[index]}: ${raw[index + 1]}\r\n`;
    }
    const own = this.route.answerHeaders;
    for (let index = 0; index < own.length; index += 2) {
      head += `${own[index]}: ${own[index + 1]}\r\n`;
    }
    // node:http read the header bytes as latin1: written back the same way, they are the bytes received.
    return Buffer.from(`${head}${final ? 'connection: close\r\n' : ''}\r\n`, 'latin1');
  }
}

function reportedVersion(answer: IncomingMessage): string | undefined {
  const value = answer.headers[VERSION_HEADER];
  return typeof value === 'string' ? value : undefined;
}
