import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TestDatabase, createTestDatabase, eventually } from '@strata/testing';
import { Client } from 'pg';
import { ServiceProcess } from './support/service-process';

/**
 * `npm start` on a fresh machine: every service in one process on embedded PostgreSQL and the
 * in-memory bus, one API origin with Swagger, the gateway beside it; Ctrl-C stops cleanly and
 * the next start finds the data again. The first start issues an admin token and prints it once;
 * later starts do not print it again, and it still works.
 */
describe('embedded mode (npm start)', () => {
  let dataDir: string;
  let strata: ServiceProcess | undefined;
  /** The admin token the first start printed (later starts keep it). */
  let adminToken = '';

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'strata-embedded-'));
  });

  afterAll(async () => {
    await strata?.kill();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function start(env: Record<string, string> = {}): Promise<{ api: string; gateway: string; gatewayAdmin: string }> {
    // Port 0: a free one is chosen and printed, as when the defaults are taken.
    // No STRATA_ADMIN_TOKEN: the first start issues the admin token and prints it.
    strata = new ServiceProcess('strata', { STRATA_DATA_DIR: dataDir, STRATA_PORT: '0', STRATA_GATEWAY_PORT: '0', STRATA_GATEWAY_ADMIN_PORT: '0', LOG_LEVEL: 'warn', STRATA_ADMIN_TOKEN: '', STRATA_TOKEN: '', ...env });
    strata.start();
    return { api: await strata.lineStartingWith('api: '), gateway: await strata.lineStartingWith('gateway: '), gatewayAdmin: await strata.lineStartingWith('gateway-admin: ') };
  }

  it(
    'serves every service on one origin, stops on Ctrl-C and keeps its data',
    async () => {
      const first = await start();
      const token = await strata!.lineStartingWith('token: ').then((line) => line.split(/\s/)[0]!);
      expect(token).toMatch(/^strata_[A-Za-z0-9_-]{43}$/);
      const bearer = { authorization: `Bearer ${token}` };
      const health = await fetch(`${first.api}/health`);
      expect(health.status).toBe(200);
      const report = (await health.json()) as { status: string; services: Record<string, { status: string }> };
      expect(report.status).toBe('up');
      expect(Object.keys(report.services)).toEqual(['gateway', 'metrics-ingest', 'predictive-staging', 'registry', 'rollback', 'routing-control']);

      const docs = await fetch(`${first.api}/docs`);
      expect(docs.status).toBe(200);
      expect(await docs.text()).toContain('swagger-ui');
      const spec = (await (await fetch(`${first.api}/docs-json`)).json()) as { paths: Record<string, unknown> };
      expect(Object.keys(spec.paths)).toContain('/v1/stacks');
      // A readiness answer: up and on its bus, but not ready before a routing policy reaches it (it would refuse every request).
      const gatewayHealth = await fetch(`${first.gatewayAdmin}/health`);
      expect(gatewayHealth.status).toBe(503);
      expect(await gatewayHealth.json()).toMatchObject({ gatewayId: 'embedded', status: 'down', serving: false, checks: { bus: { status: 'up' } } });
      // On the data port /health is routed like any path: with no routing policy yet, there is no backend to route it to.
      const routed = await fetch(`${first.gateway}/health`);
      expect({ status: routed.status, contentType: routed.headers.get('content-type') }).toEqual({ status: 503, contentType: 'application/problem+json' });
      expect(await routed.json()).toMatchObject({ detail: expect.stringMatching(/no routing config has reached this gateway/) });

      const created = await fetch(`${first.api}/v1/stacks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer },
        body: JSON.stringify({ name: 'kept', environments: [{ name: 'production' }] }),
      });
      expect(created.status).toBe(201);
      const anonymous = await fetch(`${first.api}/v1/stacks`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'nope', environments: [{ name: 'production' }] }) });
      expect(anonymous.status).toBe(401);
      expect(anonymous.headers.get('www-authenticate')).toMatch(/^Bearer/);
      // The example manifest, as written (its contract a file reference), applies, a second time changes nothing, and a recorded
      // deployment shows in the version map. Its Rollout cannot start (its group is not deployed yet): the apply says so, naming
      // it, instead of accepting it and dropping it, and everything else in the manifest is applied.
      const manifest = await readFile(join(__dirname, '../fixtures/manifests/checkout-stack.yaml'), 'utf8');
      const apply = async () => {
        const response = await fetch(`${first.api}/v1/apply`, { method: 'POST', headers: { 'content-type': 'application/yaml', ...bearer }, body: manifest });
        const body = (await response.json()) as { detail: string; changes: { kind: string; action: string; rollout?: { status: string; reason: string } }[] };
        expect({ status: response.status, detail: body.detail }).toMatchObject({ status: 422, detail: expect.stringMatching(/^routing-control refused documents\[\d+\] \(Rollout checkout-2026\.11\.3-canary\): version group 'checkout-2026\.11\.3' is not deployed to production; the manifest's other documents are applied/) });
        expect(body.changes.find((change) => change.kind === 'Rollout')?.rollout).toMatchObject({ status: 'refused', reason: "version group 'checkout-2026.11.3' is not deployed to production" });
        return body.changes.filter((change) => change.kind !== 'Rollout').map((change) => change.action);
      };
      expect(new Set(await apply())).toEqual(new Set(['create']));
      expect(new Set(await apply())).toEqual(new Set(['unchanged']));
      const deployed = await fetch(`${first.api}/v1/environments/production/deployments`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...bearer },
        body: JSON.stringify({ stack: 'checkout', versionGroup: 'checkout-2026.11.3', location: 'production' }),
      });
      expect(deployed.status).toBe(201);
      const map = (await (await fetch(`${first.api}/v1/stacks/checkout/environments/production/version-map`, { headers: bearer })).json()) as { slots: { component: string; version: string }[] };
      expect(map.slots.map((slot) => `${slot.component}@${slot.version}`).sort()).toEqual([
        'checkout-api@2.4.0',
        'checkout-db@14.1.0',
        'checkout-netpol@5.0.0',
        'edge-lb@7.0.0',
        'payments-contract@3.2.0',
      ]);
      expect(await strata!.interrupt()).toBe(0);

      const second = await start();
      const kept = await fetch(`${second.api}/v1/stacks/kept`, { headers: bearer });
      expect(kept.status).toBe(200);
      const keptMap = (await (await fetch(`${second.api}/v1/stacks/checkout/environments/production/version-map`, { headers: bearer })).json()) as { slots: unknown[] };
      expect(keptMap.slots).toHaveLength(5);
      expect(strata!.log).not.toMatch(/^token: /m);
      expect(await strata!.interrupt()).toBe(0);
      adminToken = token;
    },
    180_000,
  );

  it(
    'runs executions against any database given by variable: a Deployment document deploys, a rollback takes the schema back',
    async () => {
      const target: TestDatabase = await createTestDatabase('e2e-embedded-target');
      const sql = new Client({ connectionString: target.url });
      await sql.connect();
      try {
        const { api } = await start({ LEDGER_DB_URL: target.url });
        const call = async (method: string, path: string, body?: string, contentType = 'application/json') => {
          const response = await fetch(`${api}${path}`, { method, headers: { 'content-type': contentType, authorization: `Bearer ${adminToken}` }, ...(body ? { body } : {}) });
          return { status: response.status, body: (await response.json()) as Record<string, unknown> & { items?: { status: string; versionGroup: string }[] } };
        };
        const manifest = `
apiVersion: strata.dev/v1
kind: Stack
metadata: { name: ledger }
spec: { environments: [ { name: production } ] }
---
apiVersion: strata.dev/v1
kind: Component
metadata: { name: ledger-db, stack: ledger }
spec: { type: db-schema, target: { databaseUrlFrom: LEDGER_DB_URL } }
---
apiVersion: strata.dev/v1
kind: ComponentVersion
metadata: { component: ledger-db, version: 1.0.0 }
spec: { spec: { up: "CREATE TABLE entries (id bigint PRIMARY KEY);", down: "DROP TABLE entries;" }, rollback: [ { sql: { from: down } } ] }
---
apiVersion: strata.dev/v1
kind: ComponentVersion
metadata: { component: ledger-db, version: 1.1.0 }
spec: { spec: { up: "ALTER TABLE entries ADD COLUMN note text;", down: "ALTER TABLE entries DROP COLUMN note;" }, rollback: [ { sql: { from: down } } ] }
---
apiVersion: strata.dev/v1
kind: VersionGroup
metadata: { name: ledger-1, stack: ledger }
spec: { members: { ledger-db: 1.0.0 } }
---
apiVersion: strata.dev/v1
kind: VersionGroup
metadata: { name: ledger-2, stack: ledger }
spec: { members: { ledger-db: 1.1.0 } }
---
apiVersion: strata.dev/v1
kind: Deployment
metadata: { stack: ledger }
spec: { environment: production, versionGroup: ledger-1 }
`;
        expect(await call('POST', '/v1/apply', manifest, 'application/yaml')).toMatchObject({ status: 200 });
        const succeeded = async (group: string) =>
          eventually(async () => expect((await call('GET', '/v1/executions?stack=ledger&limit=1')).body.items?.[0]).toMatchObject({ versionGroup: group, status: 'succeeded' }), 30_000, 200);
        await succeeded('ledger-1');
        const columns = async () => (await sql.query<{ column_name: string }>(`SELECT column_name FROM information_schema.columns WHERE table_name = 'entries' ORDER BY column_name`)).rows.map((row) => row.column_name);
        expect(await columns()).toEqual(['id']);
        expect(await call('POST', '/v1/stacks/ledger/environments/production/deploy', JSON.stringify({ versionGroup: 'ledger-2' }))).toMatchObject({ status: 202 });
        await succeeded('ledger-2');
        expect(await columns()).toEqual(['id', 'note']);
        expect(await call('POST', '/v1/stacks/ledger/environments/production/rollback', JSON.stringify({ reason: 'e2e' }))).toMatchObject({ status: 202 });
        await succeeded('ledger-1');
        expect(await columns()).toEqual(['id']);
        const ledger = await sql.query<{ version: string; reverted: boolean }>('SELECT version, reverted_at IS NOT NULL AS reverted FROM strata.schema_ledger ORDER BY id');
        expect(ledger.rows).toEqual([{ version: '1.0.0', reverted: false }, { version: '1.1.0', reverted: true }]);
        expect(await strata!.interrupt()).toBe(0);
      } finally {
        await sql.end();
        await target.drop();
      }
    },
    180_000,
  );
});
