import { ConsoleUpstream } from '@strata/config';
import { PROBLEM_CONTENT_TYPE, problem } from '@strata/observability';
import type { Response } from 'express';
import { Agent as HttpAgent, OutgoingHttpHeaders, request as httpRequest } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/** One service behind the console: where it listens and the keep-alive connections to it. */
export interface Upstream {
  service: ConsoleUpstream;
  base: URL;
  agent: HttpAgent;
}

/** The services by name, each with its own connection pool. */
export class Upstreams {
  private readonly byService: ReadonlyMap<ConsoleUpstream, Upstream>;

  constructor(urls: Record<ConsoleUpstream, string>) {
    this.byService = new Map(
      Object.entries(urls).map(([service, url]) => {
        const base = new URL(url);
        const options = { keepAlive: true, maxSockets: 64 };
        return [service as ConsoleUpstream, { service: service as ConsoleUpstream, base, agent: base.protocol === 'https:' ? new HttpsAgent(options) : new HttpAgent(options) }];
      }),
    );
  }

  get all(): Upstream[] {
    return [...this.byService.values()];
  }

  of(service: ConsoleUpstream): Upstream {
    const upstream = this.byService.get(service);
    if (!upstream) throw new Error(`no URL configured for the service '${service}'`);
    return upstream;
  }

  /** `pathAndQuery` on the service, under the base URL's path (a service behind an ingress prefix). */
  urlOf(upstream: Upstream, pathAndQuery: string): URL {
    return new URL(`${upstream.base.pathname.replace(/\/$/, '')}${pathAndQuery}`, upstream.base);
  }

  /**
   * A small GET the console makes itself (the audit's pages, a token check), through the same
   * pool. Rejects with the socket's error (its `code` names it) or UPSTREAM_TIMEOUT.
   */
  async get(upstream: Upstream, pathAndQuery: string, headers: OutgoingHttpHeaders, timeoutMs = 10_000): Promise<{ status: number; contentType: string; text: string }> {
    const url = this.urlOf(upstream, pathAndQuery);
    return new Promise((resolve, reject) => {
      const outgoing = (url.protocol === 'https:' ? httpsRequest : httpRequest)(url, { method: 'GET', headers, agent: upstream.agent }, (answer) => {
        const chunks: Buffer[] = [];
        answer.on('data', (chunk: Buffer) => chunks.push(chunk));
        answer.on('error', reject);
        answer.on('end', () => resolve({ status: answer.statusCode ?? 502, contentType: answer.headers['content-type'] ?? 'application/octet-stream', text: Buffer.concat(chunks).toString('utf8') }));
      });
      outgoing.setTimeout(timeoutMs, () => outgoing.destroy(Object.assign(new Error('timed out'), { code: 'UPSTREAM_TIMEOUT' })));
      outgoing.on('error', reject);
      outgoing.end();
    });
  }

  destroy(): void {
    for (const upstream of this.byService.values()) upstream.agent.destroy();
  }
}

/** What a caller gets when a service does not answer: 502 (or 504 when it took too long), naming the service. */
export function sendUpstreamProblem(response: Response, upstream: Upstream, cause: Error & { code?: string }, instance: string, correlationId: string | undefined): void {
  const timedOut = cause.code === 'UPSTREAM_TIMEOUT';
  const status = timedOut ? 504 : 502;
  const reason = timedOut ? 'did not answer in time' : `does not answer (${cause.code ?? cause.message})`;
  const body = { ...problem(status, 'upstream-unavailable', `the ${upstream.service} service at ${upstream.base.origin} ${reason}`, { instance, correlationId }), service: upstream.service };
  response.status(status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
}
