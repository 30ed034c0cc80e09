import { IncomingMessage, Server, ServerResponse, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { Topics } from '@strata/contracts';
import { EventBus, SubscriptionHandle, createEventProcessor } from '@strata/messaging';
import { HealthRegistry, Logger, PROBLEM_CONTENT_TYPE, metricsRegistry, problem } from '@strata/observability';
import { Counter } from 'prom-client';

export interface GatewayOptions {
  gatewayId: string;
  host: string;
  port: number;
  bus: EventBus;
  /** In embedded mode the launcher's registry, so the API's /health shows the gateway too. */
  health: HealthRegistry;
}

const requests = new Counter({
  name: 'strata_gateway_requests_total',
  help: 'Requests the gateway answered, by outcome',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
});

export const GATEWAY_SERVICE = 'gateway';

/**
 * The data plane. Plain node:http: nothing but routing belongs on the request path. This slice
 * starts, joins the bus and reports its health; until routing policies reach it, every request
 * is answered 503 with the reason, never forwarded blindly.
 */
export class Gateway {
  private readonly logger: Logger;
  private readonly server: Server;
  private subscription: SubscriptionHandle | undefined;

  constructor(private readonly options: GatewayOptions) {
    this.logger = new Logger('gateway').child({ gatewayId: options.gatewayId });
    this.server = createServer((request, response) => void this.handle(request, response));
    this.server.keepAliveTimeout = 65_000;
  }

  /** Listens and joins the bus; resolves with the bound port (0 picks a free one). */
  async start(): Promise<number> {
    this.options.health.register(GATEWAY_SERVICE, 'bus', () => this.options.bus.probe());
    this.subscription = await this.options.bus.subscribe({
      groupId: `strata-gateway.${this.options.gatewayId}`,
      topics: [Topics.routingEvents],
      handler: createEventProcessor({ groupId: `strata-gateway.${this.options.gatewayId}`, bus: this.options.bus, handlers: {} }),
    });
    await new Promise<void>((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(this.options.port, this.options.host, () => {
        this.server.off('error', reject);
        resolve();
      });
    });
    const { port } = this.server.address() as AddressInfo;
    this.logger.info('gateway listening', { host: this.options.host, port });
    return port;
  }

  async stop(): Promise<void> {
    await this.subscription?.stop();
    await new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      this.server.closeIdleConnections();
    });
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/health') {
      const report = await this.options.health.report();
      const gateway = report.services[GATEWAY_SERVICE] ?? { status: 'down', checks: {} };
      this.respond(response, gateway.status === 'up' ? 200 : 503, 'application/json', JSON.stringify({ gatewayId: this.options.gatewayId, ...gateway }));
      return;
    }
    if (request.method === 'GET' && path === '/metrics') {
      this.respond(response, 200, metricsRegistry.contentType, await metricsRegistry.metrics());
      return;
    }
    requests.inc({ outcome: 'no-stack-config' });
    request.resume();
    const body = problem(503, 'no-stack-config', 'no valid stack configuration: no routing policy has reached this gateway yet', {
      instance: request.url,
    });
    this.respond(response, 503, PROBLEM_CONTENT_TYPE, JSON.stringify(body));
  }

  private respond(response: ServerResponse, status: number, contentType: string, body: string): void {
    response.writeHead(status, { 'content-type': contentType, 'content-length': Buffer.byteLength(body) });
    response.end(body);
  }
}
