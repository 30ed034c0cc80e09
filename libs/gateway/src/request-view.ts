import { IncomingMessage } from 'node:http';
import { Caller, RouteRequest, cookieValue } from '@strata/domain';

/** The request as the router and the network policy read it; one instance reused (routing is synchronous). */
export class RequestView implements RouteRequest, Caller {
  path = '/';
  private request: IncomingMessage | undefined;

  bind(request: IncomingMessage, path: string): this {
    this.request = request;
    this.path = path;
    return this;
  }

  get method(): string {
    return this.request?.method ?? 'GET';
  }

  get sourceAddress(): string {
    return this.request?.socket.remoteAddress ?? '';
  }

  header(name: string): string | undefined {
    const value = this.request?.headers[name];
    return typeof value === 'string' ? value : value?.[0];
  }

  cookie(name: string): string | undefined {
    return cookieValue(this.request?.headers.cookie, name);
  }
}
