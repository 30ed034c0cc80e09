import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'strata-embedded-'));
  });

  afterAll(async () => {
    await strata?.kill();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function start(): Promise<{ api: string; gateway: string; gatewayAdmin: string }> {
    // Port 0: a free one is chosen and printed, as when the defaults are taken.
    // No STRATA_ADMIN_TOKEN: the first start issues the admin token and prints it.
    strata = new ServiceProcess('strata', { STRATA_DATA_DIR: dataDir, STRATA_PORT: '0', STRATA_GATEWAY_PORT: '0', STRATA_GATEWAY_ADMIN_PORT: '0', LOG_LEVEL: 'warn', STRATA_ADMIN_TOKEN: '', STRATA_TOKEN: '' });
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
      const gatewayHealth = await fetch(`${first.gatewayAdmin}/health`);
      expect(gatewayHealth.status).toBe(200);
      expect(await gatewayHealth.json()).toMatchObject({ gatewayId: 'embedded', status: 'up' });
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
    },
    180_000,
  );
});
