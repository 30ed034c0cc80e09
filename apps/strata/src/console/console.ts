import { Module } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { SwaggerModule, OpenAPIObject } from '@nestjs/swagger';
import { readConsoleConfig, loadConfigOrExit } from '@strata/config';
import { BusModule, EventBus, createEventBus } from '@strata/messaging';
import {
  HealthRegistry,
  Logger,
  MetricsController,
  NestJsonLogger,
  ProblemDetailsFilter,
  configuredTokens,
  correlationMiddleware,
  httpMetricsMiddleware,
  setLogLevel,
} from '@strata/observability';
import { closeApi, exitOnFatalError, stopOnSignals } from '@strata/runtime';
import type { NextFunction, Request, Response } from 'express';
import { readFileSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { DashboardModule } from '../dashboard/dashboard.module';
import { DASHBOARD_PATH, serveDashboard } from '../dashboard/serve-dashboard';
import { AUDIT_PATH, auditFanOut } from './audit-fan-out';
import { ConsoleAuthGuard } from './console-auth.guard';
import { CONSOLE_CHECKS, registerUpstreamChecks } from './console-health';
import { ConsoleHealthController } from './console-health.controller';
import { RegistryTokenCheck } from './registry-token-check';
import { RouteTable } from './route-table';
import { serviceProxy } from './service-proxy';
import { serviceRouteTable } from './service-routes';
import { Upstreams } from './upstreams';

/** The merged API document `npm run docs:api` commits (its staleness spec keeps it the code's): the console's /docs. */
export const COMMITTED_OPENAPI_PATH = join(__dirname, '..', '..', 'docs', 'openapi.json');
const LIVE_PATH = '/v1/live';

export interface ConsoleApiOptions {
  routes: RouteTable;
  upstreams: Upstreams;
  bus: EventBus;
  health: HealthRegistry;
  adminToken: string | undefined;
}

/**
 * The console's HTTP side. Order matters: the proxy runs before any body parser (there is none),
 * so bodies stream through untouched; the audit is fanned out; what the console answers itself
 * (the live stream, health, metrics, /docs, /ui) reaches Nest and the static files.
 */
export async function createConsoleApi({ routes, upstreams, bus, health, adminToken }: ConsoleApiOptions): Promise<NestExpressApplication> {
  @Module({ imports: [BusModule.forRoot(bus), DashboardModule], controllers: [ConsoleHealthController, MetricsController], providers: [{ provide: HealthRegistry, useValue: health }] })
  class ConsoleModule {}

  const app = await NestFactory.create<NestExpressApplication>(ConsoleModule, { logger: new NestJsonLogger(), bodyParser: false });
  app.disable('x-powered-by');
  app.use(correlationMiddleware, httpMetricsMiddleware);
  app.use((request: Request, response: Response, next: NextFunction) => {
    if (request.path !== AUDIT_PATH || request.method !== 'GET') {
      next();
      return;
    }
    auditFanOut(request, response, upstreams).catch(next);
  });
  app.use(serviceProxy({ routes, upstreams, ownPaths: [LIVE_PATH] }));
  app.useGlobalFilters(new ProblemDetailsFilter());
  app.useGlobalGuards(new ConsoleAuthGuard(app.get(Reflector), configuredTokens({ adminToken }), new RegistryTokenCheck(upstreams)));
  SwaggerModule.setup('docs', app, JSON.parse(readFileSync(COMMITTED_OPENAPI_PATH, 'utf8')) as OpenAPIObject, { jsonDocumentUrl: 'docs-json' });
  serveDashboard(app);
  return app;
}

/**
 * `strata console`: the distributed mode's one origin for the CLI and the dashboard. It serves
 * the dashboard and its live stream (from the bus, in a consumer group of its own), fans the audit
 * out, and sends every other API request to the service that owns its route.
 */
export async function runConsole(): Promise<void> {
  const processName = 'strata-console';
  exitOnFatalError(processName);
  const config = loadConfigOrExit(() => readConsoleConfig(), processName);
  setLogLevel(config.logLevel);
  const routes = serviceRouteTable();
  const upstreams = new Upstreams(config.upstreams);
  const bus = createEventBus(config.bus);
  const health = new HealthRegistry();
  health.register(CONSOLE_CHECKS, 'bus', () => bus.probe());
  registerUpstreamChecks(health, upstreams);
  const app = await createConsoleApi({ routes, upstreams, bus, health, adminToken: config.adminToken });
  await app.listen(config.port, config.host);
  const origin = `http://${config.host}:${(app.getHttpServer().address() as AddressInfo).port}`;
  process.stdout.write(`api: ${origin}\ndocs: ${origin}/docs\ndashboard: ${origin}${DASHBOARD_PATH}/\n`);
  new Logger(processName).info('listening', { url: origin, bus: bus.transport, upstreams: config.upstreams });
  stopOnSignals(processName, async () => {
    await closeApi(app);
    upstreams.destroy();
  });
}
