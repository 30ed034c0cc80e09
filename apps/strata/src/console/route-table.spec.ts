import 'reflect-metadata';
import { buildOpenApiDocument } from '../api-docs/openapi-document';
import { RouteTable } from './route-table';
import { serviceRouteTable } from './service-routes';

/** Paths every process serves for itself (ObservabilityModule): the console answers them, or fans the audit out. */
const OWN_PATHS = ['/health', '/health/live', '/v1/audit'];
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'patch'];

describe(RouteTable.name, () => {
  describe('of the services (serviceRouteTable)', () => {
    let document: { paths: Record<string, Record<string, unknown>> };
    const sut = serviceRouteTable();

    beforeAll(async () => {
      document = (await buildOpenApiDocument()) as typeof document;
    }, 60_000);

    const operations = () =>
      Object.entries(document.paths).flatMap(([path, item]) => Object.keys(item).filter((method) => HTTP_METHODS.includes(method)).map((method) => ({ method: method.toUpperCase(), path })));

    it('maps every operation of the merged OpenAPI document to exactly one service, and a request for it there', () => {
      const problems = operations()
        .filter(({ path }) => !OWN_PATHS.includes(path))
        .flatMap(({ method, path }) => {
          const owners = sut.owners(method, path);
          const concrete = path.replace(/\{[^}]+\}/g, 'x-1');
          const routed = sut.serviceFor(method, `${concrete}?limit=1`);
          return owners.length === 1 && routed === owners[0] ? [] : [`${method} ${path}: owned by [${owners.join(', ')}], a request goes to ${routed}`];
        });
      expect(problems).toEqual([]);
      expect(operations().length).toBeGreaterThan(60);
    });

    it('has no route the document lacks, and leaves the process-own paths to the console', () => {
      const documented = new Set(operations().map(({ method, path }) => `${method} ${path}`));
      expect(sut.routes.filter((route) => !documented.has(`${route.method} ${route.path}`))).toEqual([]);
      for (const path of OWN_PATHS) expect(sut.serviceFor('GET', path)).toBeUndefined();
    });

    it('sends a stack route to the service that owns that part of the stack', () => {
      expect(sut.serviceFor('GET', '/v1/stacks/shop')).toBe('registry');
      expect(sut.serviceFor('POST', '/v1/stacks/shop/rollouts')).toBe('routing-control');
      expect(sut.serviceFor('POST', '/v1/stacks/shop/environments/production/rollback')).toBe('rollback');
      expect(sut.serviceFor('GET', '/v1/series/7/forecast')).toBe('predictive-staging');
      expect(sut.serviceFor('GET', '/v1/series/7/range')).toBe('metrics-ingest');
      expect(sut.serviceFor('POST', '/api/v1/write')).toBe('metrics-ingest');
    });
  });

  describe('matching', () => {
    const sut = RouteTable.of([
      { service: 'a', routes: [{ method: 'GET', path: '/v1/things/{id}' }, { method: 'GET', path: '/v1/things' }] },
      { service: 'b', routes: [{ method: 'POST', path: '/v1/things/special' }, { method: 'DELETE', path: '/v1/things/{id}' }] },
    ]);

    it('prefers a literal segment to a parameter, whatever the method', () => {
      expect(sut.serviceFor('POST', '/v1/things/special')).toBe('b');
      expect(sut.serviceFor('GET', '/v1/things/special')).toBe('b');
      expect(sut.serviceFor('GET', '/v1/things/other')).toBe('a');
    });

    it('picks the owner of the method among owners of one template, and any owner for another method (its 405)', () => {
      expect(sut.serviceFor('DELETE', '/v1/things/7')).toBe('b');
      expect(sut.serviceFor('get', '/v1/things/7')).toBe('a');
      expect(sut.serviceFor('PATCH', '/v1/things')).toBe('a');
    });

    it('matches nothing for another length, an empty parameter or another literal', () => {
      expect(sut.serviceFor('GET', '/v1/things/7/more')).toBeUndefined();
      expect(sut.serviceFor('GET', '/v1/things/')).toBeUndefined();
      expect(sut.serviceFor('GET', '/v1/other/7')).toBeUndefined();
      expect(sut.owners('GET', '/v1/things/{id}')).toEqual(['a']);
    });
  });
});
