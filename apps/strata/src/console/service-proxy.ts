import { CORRELATION_HEADER, PROBLEM_CONTENT_TYPE, problem } from '@strata/observability';
import type { NextFunction, Request, Response } from 'express';
import { IncomingHttpHeaders, OutgoingHttpHeaders, request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { RouteTable } from './route-table';
import { Upstream, Upstreams, sendUpstreamProblem } from './upstreams';

/** How long a service may stay silent on a proxied request before the caller gets a 504. */
export const UPSTREAM_IDLE_TIMEOUT_MS = 60_000;

/** Headers of one connection, not of the message (RFC 9110 §7.6.1): never forwarded. */
const HOP_BY_HOP = new Set(['connection', 'keep-alive', 'proxy-authenticate', 'proxy-authorization', 'proxy-connection', 'te', 'trailer', 'transfer-encoding', 'upgrade', 'host']);

function endToEnd(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = new Set(String(headers.connection ?? '').toLowerCase().split(',').map((name) => name.trim()));
  return Object.fromEntries(Object.entries(headers).filter(([name, value]) => value !== undefined && !HOP_BY_HOP.has(name) && !named.has(name)));
}

/** Paths the console answers itself (the dashboard's stream, health, metrics) or fans out (the audit). */
export interface ProxyOptions {
  routes: RouteTable;
  upstreams: Upstreams;
  /** Paths never proxied: the next handler answers them. */
  ownPaths: readonly string[];
  idleTimeoutMs?: number;
}

/** Sends the request to `upstream` as it came (body streamed, Authorization kept) and streams the answer back as it is. */
export function forward(request: Request, response: Response, upstream: Upstream, upstreams: Upstreams, idleTimeoutMs = UPSTREAM_IDLE_TIMEOUT_MS): void {
  const url = upstreams.urlOf(upstream, request.originalUrl);
  const correlationId = response.getHeader(CORRELATION_HEADER) as string | undefined;
  const forwardedFor = [request.headers['x-forwarded-for'], request.socket.remoteAddress].filter(Boolean).join(', ');
  const headers = {
    ...endToEnd(request.headers),
    ...(correlationId ? { [CORRELATION_HEADER]: correlationId } : {}),
    'x-forwarded-for': forwardedFor,
    'x-forwarded-host': request.headers.host ?? '',
    'x-forwarded-proto': request.protocol,
  };
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  const outgoing = send(url, { method: request.method, headers, agent: upstream.agent });
  outgoing.setTimeout(idleTimeoutMs, () => outgoing.destroy(Object.assign(new Error('timed out'), { code: 'UPSTREAM_TIMEOUT' })));
  outgoing.on('response', (answer) => {
    response.status(answer.statusCode ?? 502);
    for (const [name, value] of Object.entries(endToEnd(answer.headers))) response.setHeader(name, value as string | string[]);
    answer.pipe(response);
    answer.on('error', () => response.destroy());
  });
  outgoing.on('error', (error: Error & { code?: string }) => {
    if (response.headersSent) {
      response.destroy(error);
      return;
    }
    sendUpstreamProblem(response, upstream, error, request.originalUrl, correlationId);
  });
  // A caller that goes away takes its request to the service with it.
  response.on('close', () => {
    if (!response.writableFinished) outgoing.destroy();
  });
  request.pipe(outgoing);
}

/**
 * The console's router: a request for a route some service serves goes to that service; the
 * console's own paths go on to its handlers; anything else under /v1 is a 404 here, so a typo
 * never reaches a service it does not concern.
 */
export function serviceProxy({ routes, upstreams, ownPaths, idleTimeoutMs }: ProxyOptions) {
  const own = new Set(ownPaths);
  return (request: Request, response: Response, next: NextFunction): void => {
    const path = request.path;
    if (own.has(path)) {
      next();
      return;
    }
    const service = routes.serviceFor(request.method, path);
    if (service) {
      forward(request, response, upstreams.of(service as Upstream['service']), upstreams, idleTimeoutMs);
      return;
    }
    if (path === '/v1' || path.startsWith('/v1/')) {
      const body = problem(404, 'http-404', `no service serves ${request.method} ${path}`, { instance: request.originalUrl, correlationId: response.getHeader(CORRELATION_HEADER) as string | undefined });
      response.status(404).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
      return;
    }
    next();
  };
}
