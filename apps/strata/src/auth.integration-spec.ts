import { INestApplication, RequestMethod } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { DiscoveryService, MetadataScanner, ModulesContainer, Reflector } from '@nestjs/core';
import { Role, roleBelow } from '@strata/domain';
import { InMemoryEventBus } from '@strata/messaging';
import { HealthRegistry, PROBLEM_CONTENT_TYPE, PUBLIC_ROUTE, REQUIRED_ROLE } from '@strata/observability';
import { TEST_ADMIN_TOKEN, TestDatabase, aStackName, authorizedHttp, createTestDatabase } from '@strata/testing';
import { Client } from 'pg';
import request from 'supertest';
import { createEmbeddedApi } from './embedded';

interface Route {
  method: string;
  path: string;
  role: Role | undefined;
  isPublic: boolean;
}

/** Every route of the composed app, read from Nest's own metadata: the route table the guard protects. */
function routesOf(app: INestApplication): Route[] {
  const discovery = new DiscoveryService(app.get(ModulesContainer));
  const reflector = app.get(Reflector);
  const scanner = new MetadataScanner();
  const routes: Route[] = [];
  for (const wrapper of discovery.getControllers()) {
    const controller = wrapper.metatype as (new (...args: never[]) => unknown) | undefined;
    if (!controller) continue;
    const base = String(Reflect.getMetadata(PATH_METADATA, controller) ?? '');
    for (const name of scanner.getAllMethodNames(controller.prototype)) {
      const handler = (controller.prototype as Record<string, unknown>)[name] as () => unknown;
      const path = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      if (path === undefined) continue;
      const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
      const full = `/${[base, path].map((part) => part.replace(/^\/|\/$/g, '')).filter(Boolean).join('/')}`;
      routes.push({
        method,
        path: full,
        role: reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, [handler, controller]),
        isPublic: reflector.getAllAndOverride<boolean | undefined>(PUBLIC_ROUTE, [handler, controller]) === true,
      });
    }
  }
  return routes;
}

const REQUEST_TIMEOUT = 15_000;

/** A concrete URL for a route: parameters filled with a well-formed id nothing has. */
const concrete = (path: string) => path.replace(/:(\w+)/g, (_match, name: string) => (name === 'id' ? '00000000-0000-4000-8000-000000000000' : `auth-${name}`));

describe('auth: bearer tokens on the composed (embedded) app', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let sql: Client;
  const admin = () => authorizedHttp(app.getHttpServer());
  const as = (token: string) => authorizedHttp(app.getHttpServer(), token);
  const anonymous = () => request(app.getHttpServer());
  const issued: Record<'viewer' | 'operator' | 'admin' | 'revoked' | 'expired', string> = { viewer: '', operator: '', admin: '', revoked: '', expired: '' };
  const issue = async (principal: string, role: Role): Promise<{ id: string; token: string }> => (await admin().post('/v1/tokens').send({ principal, role }).expect(201)).body;

  beforeAll(async () => {
    database = await createTestDatabase('strata-auth');
    const options = { database: { url: database.url, poolSize: 4 }, outbox: { pollIntervalMs: 100, retentionHours: 1 } };
    app = await createEmbeddedApi({ options, bus: new InMemoryEventBus(1), health: new HealthRegistry(), adminToken: TEST_ADMIN_TOKEN });
    await app.init();
    sql = new Client({ connectionString: database.url });
    await sql.connect();
    for (const role of ['viewer', 'operator', 'admin'] as const) {
      issued[role] = (await issue(`route-table-${role}`, role)).token;
    }
    const revoked = await issue('route-table-revoked', 'admin');
    await admin().post(`/v1/tokens/${revoked.id}/revoke`).expect(200);
    issued.revoked = revoked.token;
    const expired = await issue('route-table-expired', 'admin');
    await admin().post(`/v1/tokens/${expired.id}/expire`).send({ expiresAt: new Date(Date.now() - 1_000).toISOString() }).expect(200);
    issued.expired = expired.token;
  });

  afterAll(async () => {
    await sql?.end();
    await app?.close();
    await database?.drop();
  });

  describe('/v1/tokens', () => {
    it('shows the secret once, keeps only its SHA-256, and never lists either', async () => {
      const created = await admin().post('/v1/tokens').send({ principal: 'ci-deployer', role: 'operator' }).expect(201);
      expect(created.body).toMatchObject({ principal: 'ci-deployer', role: 'operator', createdBy: 'admin', expiresAt: null, revokedAt: null, token: expect.stringMatching(/^strata_[A-Za-z0-9_-]{43}$/) });
      const secret: string = created.body.token;

      const stored = await sql.query(`SELECT token_hash FROM registry.tokens WHERE id = $1`, [created.body.id]);
      expect(stored.rows[0].token_hash).toMatch(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(stored.rows)).not.toContain(secret);

      const listed = await admin().get('/v1/tokens').query({ limit: 500 }).expect(200);
      const mine = listed.body.items.find((item: { id: string }) => item.id === created.body.id);
      expect(Object.keys(mine).sort()).toEqual(['createdAt', 'createdBy', 'expiresAt', 'id', 'lastUsedAt', 'principal', 'revokedAt', 'role']);
      expect(JSON.stringify(listed.body)).not.toContain(secret);
      expect(JSON.stringify(listed.body)).not.toContain(stored.rows[0].token_hash);

      // It works at once, on every service of the process, and the registry notes its use.
      await as(secret).get('/v1/stacks').expect(200);
      await as(secret).get('/v1/anomalies').expect(200);
      const used = await admin().get('/v1/tokens').query({ limit: 500 }).expect(200);
      expect(used.body.items.find((item: { id: string }) => item.id === created.body.id).lastUsedAt).not.toBeNull();
    });

    it('announces every change of a token as an event carrying its hash, never its secret', async () => {
      const { id, token } = await issue('evented', 'viewer');
      await admin().post(`/v1/tokens/${id}/revoke`).expect(200);
      const events = await sql.query(`SELECT event FROM registry.outbox WHERE event_type = 'io.strata.registry.token.changed.v1' AND event->'data'->>'id' = $1 ORDER BY seq`, [id]);
      expect(events.rows.map((row) => row.event.data.change)).toEqual(['created', 'revoked']);
      expect(events.rows[1].event.data).toMatchObject({ principal: 'evented', role: 'viewer', actor: 'admin', revokedAt: expect.any(String) });
      expect(JSON.stringify(events.rows)).not.toContain(token);
    });

    it('refuses a revoked or expired token with 401, and a token whose expiry is still ahead works', async () => {
      const later = await issue('later', 'viewer');
      await admin().post(`/v1/tokens/${later.id}/expire`).send({ expiresAt: new Date(Date.now() + 3_600_000).toISOString() }).expect(200);
      await as(later.token).get('/v1/stacks').expect(200);
      const revoked = await as(issued.revoked).get('/v1/stacks').expect(401);
      expect(revoked.body.detail).toMatch(/revoked/);
      const expired = await as(issued.expired).get('/v1/stacks').expect(401);
      expect(expired.body.detail).toMatch(/expired/);
      // A refused token got nothing through: its last use is not moved.
      const listed = (await admin().get('/v1/tokens').query({ limit: 500 }).expect(200)).body.items as { principal: string; lastUsedAt: string | null }[];
      expect(listed.filter((token) => token.principal === 'route-table-revoked' || token.principal === 'route-table-expired').map((token) => token.lastUsedAt)).toEqual([null, null]);
    });

    it('is for admins only, and answers 404 for a token that does not exist', async () => {
      await as(issued.operator).get('/v1/tokens').expect(403);
      await as(issued.operator).post('/v1/tokens').send({ principal: 'escalate', role: 'admin' }).expect(403);
      await admin().post('/v1/tokens/00000000-0000-4000-8000-000000000000/revoke').expect(404);
      await admin().post('/v1/tokens').send({ principal: 'bad', role: 'root' }).expect(400);
      await admin().post('/v1/tokens').send({ principal: 'past', role: 'viewer', expiresAt: '2000-01-01T00:00:00Z' }).expect(422);
    });

    it('refuses an expiry that is not an RFC 3339 date-time, naming the field, rather than reading it as another instant', async () => {
      for (const expiresAt of ['2027-02-30T00:00:00Z', '+275760-09-13T00:00:00Z', '1', 'tomorrow']) {
        const refused = await admin().post('/v1/tokens').send({ principal: 'odd-expiry', role: 'viewer', expiresAt }).expect(400);
        expect(refused.body.errors).toEqual([{ field: 'expiresAt', message: 'expiresAt must be an RFC 3339 date-time such as 2027-03-01T00:00:00Z' }]);
      }
      const token = (await admin().post('/v1/tokens').send({ principal: 'odd-expiry', role: 'viewer' }).expect(201)).body as { id: string };
      for (const expiresAt of ['2027-02-30T00:00:00Z', null]) {
        const refused = await admin().post(`/v1/tokens/${token.id}/expire`).send({ expiresAt }).expect(400);
        expect(refused.body.errors).toEqual([{ field: 'expiresAt', message: expect.stringContaining('RFC 3339 date-time') }]);
      }
      await admin().get('/v1/audit?since=2027-02-30T00:00:00Z').expect(400);
    });
  });

  describe('the guard', () => {
    it('answers 401 problem+json with WWW-Authenticate: Bearer, without a token or with an unknown one', async () => {
      const missing = await anonymous().get('/v1/stacks').expect(401);
      expect(missing.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
      expect(missing.headers['www-authenticate']).toMatch(/^Bearer /);
      expect(missing.body).toMatchObject({ status: 401, type: 'https://strata.dev/problems/unauthenticated', correlationId: expect.any(String) });
      const unknown = await as(`strata_${'A'.repeat(43)}`).get('/v1/stacks').expect(401);
      expect(unknown.headers['www-authenticate']).toContain('error="invalid_token"');
      await anonymous().get('/v1/stacks').set('authorization', `Basic ${Buffer.from('a:b').toString('base64')}`).expect(401);
    });

    it('answers 403 problem+json when the role is too low', async () => {
      const refused = await as(issued.viewer).post('/v1/stacks').send({ name: aStackName('auth'), environments: [{ name: 'production' }] }).expect(403);
      expect(refused.headers['content-type']).toContain(PROBLEM_CONTENT_TYPE);
      expect(refused.body).toMatchObject({ status: 403, type: 'https://strata.dev/problems/forbidden', detail: expect.stringMatching(/operator/) });
    });

    it("records the token's principal in the audit trail", async () => {
      const stack = aStackName('audited');
      const deployer = await issue('release-bot', 'operator');
      await as(deployer.token).post('/v1/stacks').send({ name: stack, environments: [{ name: 'production' }] }).expect(201);
      await as(deployer.token).post('/v1/components').send({ name: `${stack}-api`, stack, type: 'app' }).expect(201);
      const version = await as(deployer.token).post(`/v1/components/${stack}-api/versions`).send({ version: '1.0.0', spec: { artifact: 'registry.example.com/api:1.0.0', port: 8080 } }).expect(201);
      expect(version.body.registeredBy).toBe('release-bot');
      // A caller cannot claim another identity with the old header.
      const group = await as(deployer.token).post(`/v1/stacks/${stack}/version-groups`).set('x-strata-actor', 'mallory').send({ name: 'g1', environment: 'production', members: [{ component: `${stack}-api`, version: '1.0.0' }] }).expect(201);
      expect(group.body.createdBy).toBe('release-bot');

      const audit = await as(issued.operator).get('/v1/audit').query({ principal: 'release-bot' }).expect(200);
      expect(audit.body.items.map((row: { action: string }) => row.action)).toEqual([
        'POST /v1/stacks/:stack/version-groups',
        'POST /v1/components/:component/versions',
        'POST /v1/components',
        'POST /v1/stacks',
      ]);
      expect(audit.body.items[0]).toMatchObject({ service: 'registry', principal: 'release-bot', role: 'operator', tokenId: deployer.id, target: `/v1/stacks/${stack}/version-groups`, status: 201, params: { stack } });
      expect(audit.body.items[0].request).toMatchObject({ name: 'g1' });
      expect(audit.body.items[0].after).toMatchObject({ name: 'g1', createdBy: 'release-bot' });
      expect(JSON.stringify(audit.body)).not.toContain('mallory');
    });

    it('leaves one audit row per accepted write in the owning service, never a secret, and none for a refused one', async () => {
      const bot = await issue('audit-bot', 'operator');
      const stack = aStackName('audit');
      await as(bot.token).post('/v1/stacks').send({ name: stack, environments: [{ name: 'production' }] }).expect(201);
      await as(bot.token).post(`/v1/stacks/${stack}/environments`).send({ name: 'staging', mirrors: 'production' }).expect(201);
      await as(bot.token).post('/v1/stacks').send({ name: stack, environments: [{ name: 'production' }] }).expect(409);
      const target = `${stack}-db`;
      await as(bot.token).post('/v1/postgres-targets').send({ name: target, url: 'postgres://monitor:hunter2@db.internal:5432/shop', stack, environment: 'production', component: 'db' }).expect(201);
      await as(bot.token).delete(`/v1/postgres-targets/${target}`).expect(204);
      const { id } = await issue('audit-victim', 'viewer');
      await admin().post(`/v1/tokens/${id}/revoke`).expect(200);

      const rows = (await as(issued.operator).get('/v1/audit').query({ principal: 'audit-bot', limit: 10 }).expect(200)).body.items as { service: string; action: string; status: number }[];
      expect(rows.map((row) => `${row.service} ${row.status} ${row.action}`)).toEqual([
        'metrics-ingest 204 DELETE /v1/postgres-targets/:name',
        'metrics-ingest 201 POST /v1/postgres-targets',
        'registry 201 POST /v1/stacks/:stack/environments',
        'registry 201 POST /v1/stacks',
      ]);
      const all = await as(issued.operator).get('/v1/audit').query({ limit: 500 }).expect(200);
      expect(JSON.stringify(all.body)).not.toContain('hunter2');
      const secrets = await sql.query(`SELECT count(*)::int AS n FROM registry.audit_log WHERE strpos(after::text, 'strata_') > 0`);
      expect(secrets.rows[0].n).toBe(0);
      const revoke = (await as(issued.operator).get('/v1/audit').query({ action: 'POST /v1/tokens/:id/revoke', target: `/v1/tokens/${id}` }).expect(200)).body.items;
      expect(revoke).toHaveLength(1);
      expect(revoke[0]).toMatchObject({ principal: 'admin', role: 'admin', tokenId: null });
    });

    it('pages the merged audit of every service newest first, with a cursor that continues without gaps', async () => {
      const seen: string[] = [];
      let after: string | null = null;
      do {
        const page: { items: { service: string; id: string; at: string }[]; nextCursor: string | null } = (await as(issued.operator).get('/v1/audit').query({ limit: 3, ...(after ? { after } : {}) }).expect(200)).body;
        seen.push(...page.items.map((row) => `${row.at} ${row.service} ${row.id}`));
        after = page.nextCursor;
      } while (after);
      const whole = (await as(issued.operator).get('/v1/audit').query({ limit: 500 }).expect(200)).body.items.map((row: { service: string; id: string; at: string }) => `${row.at} ${row.service} ${row.id}`);
      expect(seen).toEqual(whole);
      expect(new Set(whole.map((row: string) => row.split(' ')[1])).size).toBeGreaterThanOrEqual(2);
      await as(issued.viewer).get('/v1/audit').expect(403);
      const bad = await as(issued.operator).get('/v1/audit').query({ after: 'not-a-cursor' }).expect(422);
      expect(bad.body.errors).toEqual([{ field: 'after', message: 'is not a cursor this API gave' }]);
    });

    it('lets /health and /metrics through without a token', async () => {
      await anonymous().get('/health').expect((response) => expect([200, 503]).toContain(response.status));
      await anonymous().get('/metrics').expect(200);
      await anonymous().get('/docs-json').expect(200);
    });
  });

  describe('route table', () => {
    let routes: Route[];
    beforeAll(() => {
      routes = routesOf(app);
    });

    it('is the whole API: every path of the OpenAPI document is a route found here', async () => {
      const document = (await anonymous().get('/docs-json').expect(200)).body as { paths: Record<string, Record<string, unknown>> };
      const known = new Set(routes.map((route) => `${route.method} ${route.path}`));
      const documented = Object.entries(document.paths).flatMap(([path, operations]) => Object.keys(operations).map((method) => `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`));
      expect(documented.length).toBeGreaterThan(40);
      expect(documented.filter((route) => !known.has(route))).toEqual([]);
    });

    it('declares a role for every route but health and metrics; GET routes need at least viewer', () => {
      expect(routes.filter((route) => route.isPublic).map((route) => route.path).sort()).toEqual(['/health', '/health/live', '/metrics']);
      expect(routes.filter((route) => !route.isPublic && !route.role).map((route) => `${route.method} ${route.path}`)).toEqual([]);
      expect(routes.filter((route) => route.method === 'GET' && !route.isPublic).every((route) => route.role !== undefined)).toBe(true);
    });

    it('refuses every non-public route without a token, with a revoked token and with an expired token (401)', async () => {
      const failures: string[] = [];
      for (const route of routes.filter((candidate) => !candidate.isPublic)) {
        const url = concrete(route.path);
        const method = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete' | 'patch';
        for (const [label, call] of [
          ['no token', () => anonymous()[method](url)],
          ['revoked', () => as(issued.revoked)[method](url)],
          ['expired', () => as(issued.expired)[method](url)],
        ] as const) {
          const response = await call().timeout(REQUEST_TIMEOUT).send({}).catch((error: Error) => ({ status: error.message }));
          if (response.status !== 401) failures.push(`${route.method} ${route.path} with ${label}: ${response.status}`);
        }
      }
      expect(failures).toEqual([]);
    }, 300_000);

    it('refuses a role below the declared one (403) and lets the declared role through (neither 401 nor 403)', async () => {
      const failures: string[] = [];
      const acceptedWrites: string[] = [];
      const mutating = routes.filter((route) => !route.isPublic && route.method !== 'GET');
      expect(mutating.length).toBeGreaterThan(20);
      for (const route of routes.filter((candidate) => !candidate.isPublic)) {
        const url = concrete(route.path);
        const method = route.method.toLowerCase() as 'get' | 'post' | 'put' | 'delete' | 'patch';
        const required = route.role as Role;
        const below = roleBelow(required);
        if (below) {
          const refused = await as(issued[below])[method](url).timeout(REQUEST_TIMEOUT).send({}).catch((error: Error) => ({ status: error.message }));
          if (refused.status !== 403) failures.push(`${route.method} ${route.path} as ${below}: ${refused.status}, expected 403`);
        }
        const allowed = await as(issued[required])[method](url).timeout(REQUEST_TIMEOUT).send({}).catch((error: Error) => ({ status: error.message }));
        if (allowed.status === 401 || allowed.status === 403) failures.push(`${route.method} ${route.path} as ${required}: ${allowed.status}`);
        if (route.method !== 'GET' && typeof allowed.status === 'number' && allowed.status < 300) acceptedWrites.push(`${route.method} ${route.path} route-table-${required}`);
      }
      expect(failures).toEqual([]);
      // Every write the right role got through is in the audit, under that token's principal.
      const audited = (await admin().get('/v1/audit').query({ limit: 500 }).expect(200)).body.items as { action: string; principal: string }[];
      const rows = audited.filter((row) => row.principal.startsWith('route-table-')).map((row) => `${row.action} ${row.principal}`);
      expect(rows.sort()).toEqual(acceptedWrites.sort());
    }, 300_000);
  });
});
