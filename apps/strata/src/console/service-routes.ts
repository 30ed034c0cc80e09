import { CONSOLE_UPSTREAMS, ConsoleUpstream } from '@strata/config';
import { SERVICES } from '../services';
import { RouteTable, routesOfModule } from './route-table';

/** Never connected: a service module is built only to read its controllers' routes. */
const UNUSED_OPTIONS = { database: { url: 'postgres://nobody@127.0.0.1:1/none', poolSize: 1 }, outbox: { pollIntervalMs: 1_000, retentionHours: 1 } };

/** The routes each service of the distributed mode serves, from its module (the one its own process runs). */
export function serviceRouteTable(): RouteTable {
  return RouteTable.of(
    SERVICES.map((entry) => {
      if (!(CONSOLE_UPSTREAMS as readonly string[]).includes(entry.name)) {
        throw new Error(`the console has no URL variable for the service '${entry.name}' (add it to CONSOLE_UPSTREAMS)`);
      }
      return { service: entry.name as ConsoleUpstream, routes: routesOfModule(entry.module(UNUSED_OPTIONS)) };
    }),
  );
}
