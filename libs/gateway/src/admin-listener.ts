import { IncomingMessage, Server, ServerResponse } from 'node:http';
import { Logger, PROBLEM_CONTENT_TYPE, problem } from '@strata/observability';
import { ConnectionLimits, ConnectionRefusal, close, createListener, listen } from './http-listener';
import { requestDefect } from './request-guard';

export interface AdminAnswer {
  status: number;
  contentType: string;
  body: string;
}

/** One read-only admin endpoint, by path. */
export type AdminRoute = () => Promise<AdminAnswer>;

/**
 * The gateway's own endpoints (`/health`, `/metrics`) on a port of their own, as Envoy's admin
 * listener: the data port forwards every path, so a backend's own `/health` stays reachable
 * through the gateway, and the admin port can be kept off the public interface.
 */
export class AdminListener {
  private readonly server: Server;

  constructor(
    private readonly routes: Readonly<Record<string, AdminRoute>>,
    limits: ConnectionLimits,
    onRefused: (refusal: ConnectionRefusal) => void,
    private readonly logger: Logger,
  ) {
    this.server = createListener(limits, (request, response) => this.handle(request, response), onRefused);
  }

  /** Resolves with the port bound. */
  start(port: number, host: string): Promise<number> {
    return listen(this.server, port, host);
  }

  stop(): Promise<void> {
    return close(this.server);
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    request.resume();
    const defect = requestDefect(request);
    if (defect) {
      this.answer(response, problemAnswer(400, defect.slug, defect.detail, request.url), true);
      return;
    }
    const url = request.url ?? '/';
    const query = url.indexOf('?');
    const route = this.routes[query === -1 ? url : url.slice(0, query)];
    if (!route) {
      this.answer(response, problemAnswer(404, 'not-found', `the admin listener serves ${Object.keys(this.routes).join(', ')}`, url));
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.setHeader('allow', 'GET, HEAD');
      this.answer(response, problemAnswer(405, 'method-not-allowed', `${url} answers GET and HEAD only`, url));
      return;
    }
    route().then(
      (answer) => this.answer(response, answer),
      (error: unknown) => {
        this.logger.error('admin endpoint failed', error, { path: url });
        this.answer(response, problemAnswer(500, 'internal-error', 'the admin endpoint failed; see the gateway log', url));
      },
    );
  }

  private answer(response: ServerResponse, answer: AdminAnswer, close = false): void {
    response.writeHead(answer.status, { 'content-type': answer.contentType, 'content-length': Buffer.byteLength(answer.body), ...(close ? { connection: 'close' } : {}) });
    response.end(answer.body);
  }
}

function problemAnswer(status: number, slug: string, detail: string, instance: string | undefined): AdminAnswer {
  return { status, contentType: PROBLEM_CONTENT_TYPE, body: JSON.stringify(problem(status, slug, detail, instance === undefined ? {} : { instance })) };
}
