import { eventually } from '@strata/testing';
import { ServiceTestApp } from '@strata/testing/harness';
import { randomUUID } from 'node:crypto';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { request } from 'undici';
import { MirrorTrialApp, startMirrorTrialApp, validateUnderTraffic } from './test-support/mirror-trial-app';

const STACK = 'shop';
const STABLE = 'shop-1.0.0';
const CANDIDATE = 'shop-2.0.0';
const POLICY = `/v1/stacks/${STACK}/environments/production/routing-policy`;

/** A backend node: answers `status` after `latencyMs` with an order as JSON (its requestId differs on every answer), `total` as set. */
interface Backend {
  url: string;
  server: Server;
  faults: { latencyMs: number; status: number; total: number };
}

async function startBackend(): Promise<Backend> {
  const faults = { latencyMs: 2, status: 200, total: 12.5 };
  const server = createServer((incoming, answer) => {
    incoming.resume();
    const body = JSON.stringify({ order: 'o-1', total: faults.total, items: [{ sku: 'x', qty: 2 }], requestId: randomUUID() });
    setTimeout(() => answer.writeHead(faults.status, { 'content-type': 'application/json' }).end(body), faults.latencyMs);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, faults };
}

interface Proposal {
  id: string;
  status: string;
  reason: string;
  staging: { validated?: boolean; mirror?: MirrorFigures } | null;
}

interface MirrorFigures {
  verdict: string;
  findings: string[];
  stackConfig: string;
  stableConfig: string;
  mirrorSwitchedOff: boolean;
  endsAt: string;
  windowsComplete: boolean;
  settledMs: number;
  windows: number;
  bodies: { compared: number; mismatched: number; share: number; differs: boolean } | null;
  production: { requests: number; shares: Record<string, number> | null; latencyMs: Record<string, number> | null };
  mirror: { requests: number; shares: Record<string, number> | null; latencyMs: Record<string, number> | null };
}

/**
 * Issue [P] point 6 end to end, on real PostgreSQL and Kafka with every part real: the registry,
 * routing-control, metrics-ingest, the rollback service and predictive-staging on one origin (as the
 * embedded mode composes them), and a gateway on the same bus in front of a production node and a
 * staging node. A staged app-version proposal is validated with mirrored traffic: routing-control
 * mirrors half of production's requests to the staging config, the gateway reports the copies as
 * gateway_mirror_* KPIs, metrics-ingest windows them, and predictive-staging judges them against
 * production's requests and switches the mirror off.
 */
describe('validation of a proposal with mirrored traffic', () => {
  let app: MirrorTrialApp;
  let sut: ServiceTestApp;
  let gatewayUrl: string;
  let production: Backend;
  let staging: Backend;
  const http = () => sut.http();

  /** An app-version proposal of CANDIDATE, as predictive-staging makes them (its dry run is the rollback service's, below). */
  const propose = async (): Promise<string> => {
    const id = randomUUID();
    await sut.sql.query(
      `INSERT INTO staging.proposals (id, kind, stack, environment, component, title, status, reason, target, change, evidence, expected, created_by)
       VALUES ($1, 'app-version', $2, 'production', 'shop-api', 'shop-api 2.0.0', 'proposed', 'a spec proposes it', $3, $4, '{}', '{}', 'spec')`,
      [id, STACK, { runningGroup: STABLE }, { version: '2.0.0', versionGroup: CANDIDATE }],
    );
    return id;
  };

  /** Validates `id` with a mirrored trial while production traffic flows; the trial's answer and production's answers. */
  const trial = (id: string, mirror: Record<string, unknown>) => validateUnderTraffic(app, id, mirror);

  beforeAll(async () => {
    app = await startMirrorTrialApp('mirror-trial', STACK);
    ({ sut, gatewayUrl } = app);
    [production, staging] = await Promise.all([startBackend(), startBackend()]);

    await http().post('/v1/stacks').send({ name: STACK, environments: [{ name: 'production' }, { name: 'staging', mirrors: 'production' }] }).expect(201);
    await http().post('/v1/components').send({ name: 'shop-api', stack: STACK, type: 'app' }).expect(201);
    for (const version of ['1.0.0', '2.0.0']) {
      await http().post('/v1/components/shop-api/versions').send({ version, config: { minReadyNodes: 0 }, spec: { artifact: `registry.example/shop-api:${version}`, port: 8080 } }).expect(201);
      await http().post(`/v1/stacks/${STACK}/version-groups`).send({ name: `shop-${version}`, environment: 'production', members: [{ component: 'shop-api', version }] }).expect(201);
    }
    // Both groups run in production: the candidate on its own node at weight 0, the staging config mirrored traffic goes to.
    await http().post('/v1/environments/production/deployments').send({ stack: STACK, versionGroup: STABLE, location: 'production' }).expect(201);
    await http().post('/v1/environments/production/deployments').send({ stack: STACK, versionGroup: CANDIDATE, location: 'production' }).expect(201);
    const policy = {
      component: 'shop-api',
      stableConfig: STABLE,
      stackConfigs: [
        { name: STABLE, weight: 100, nodes: [{ id: 'production-1', url: production.url }] },
        { name: CANDIDATE, weight: 0, nodes: [{ id: 'staging-1', url: staging.url }] },
      ],
    };
    await eventually(async () => void (await http().put(POLICY).send(policy).expect(200)), 30_000, 200);
    await eventually(async () => expect((await request(`${gatewayUrl}/orders`)).statusCode).toBe(200), 30_000, 200);
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    await Promise.all([production, staging].filter(Boolean).map((backend) => new Promise((resolve) => backend.server.close(resolve))));
  }, 60_000);

  it('refuses bad trials with problem+json naming the field, and never leaves a mirror on', async () => {
    const id = await propose();
    const refused = async (mirror: Record<string, unknown>, status: number) => {
      const answer = await http().post(`/v1/proposals/${id}/validate`).send({ mirror });
      expect({ status: answer.status, detail: (answer.body as { detail: string }).detail }).toEqual({ status, detail: expect.any(String) });
      expect(answer.headers['content-type']).toContain('application/problem+json');
      return (answer.body as { errors: { field: string; message: string }[] }).errors.map((error) => error.field);
    };
    expect(await refused({ sampleRate: 0.5, windowSeconds: 30 }, 409)).toEqual(['status']);
    await http().post(`/v1/proposals/${id}/stage`).expect(200);
    // A non-positive rate is refused as malformed (400), a value out of range as 422, as every route here does.
    expect(await refused({ sampleRate: 0, windowSeconds: 30 }, 400)).toEqual(['mirror.sampleRate']);
    expect(await refused({ sampleRate: 1.5, windowSeconds: 30 }, 422)).toEqual(['mirror.sampleRate']);
    expect(await refused({ sampleRate: 0.5, windowSeconds: 1 }, 422)).toEqual(['mirror.windowSeconds']);
    expect(await refused({ sampleRate: 0.5, windowSeconds: 300 }, 422)).toEqual(['mirror.windowSeconds']);
    // A trial running in the environment holds its mirror (409); one past its window and settling belongs to a process that died.
    const running = randomUUID();
    await sut.sql.query(
      `INSERT INTO staging.mirror_trials (id, proposal_id, stack, environment, stack_config, sample_rate, status, started_at, ends_at, created_by) VALUES ($1, $2, $3, 'production', $4, 0.5, 'running', now(), now() + interval '1 minute', 'spec')`,
      [running, id, STACK, CANDIDATE],
    );
    expect(await refused({ sampleRate: 0.5, windowSeconds: 30 }, 409)).toEqual(['environment']);
    await sut.sql.query(`UPDATE staging.mirror_trials SET started_at = now() - interval '1 hour', ends_at = now() - interval '1 hour' WHERE id = $1`, [running]);
    expect(await refused({ sampleRate: 0.5, windowSeconds: 30, stackConfig: STABLE }, 422)).toEqual(['mirror.stackConfig']);
    await sut.sql.query(`UPDATE staging.proposals SET environment = 'staging' WHERE id = $1`, [id]);
    expect(await refused({ sampleRate: 0.5, windowSeconds: 30 }, 422)).toEqual(['environment']);

    const current = (await http().get(POLICY).expect(200)).body as { config: Record<string, unknown> };
    expect(current.config).not.toHaveProperty('mirror');
    const { rows } = await sut.sql.query(`SELECT status FROM staging.mirror_trials WHERE proposal_id = $1 ORDER BY created_at`, [id]);
    expect(rows.map((row) => row.status)).toEqual(['failed', 'failed', 'failed']);
    expect(((await http().get(`/v1/proposals/${id}`).expect(200)).body as Proposal).status).toBe('staged');
    await http().post(`/v1/proposals/${id}/reject`).send({ reason: 'the spec is done with it' }).expect(200);
  }, 60_000);

  it('validates a candidate that answers like production, with the verdict and figures on it; production answered throughout', async () => {
    const id = await propose();
    await http().post(`/v1/proposals/${id}/stage`).expect(200);
    const versionBefore = ((await http().get(POLICY).expect(200)).body as { version: number }).version;

    const { answer, production: answers } = await trial(id, { sampleRate: 0.5, windowSeconds: 30, minRequests: 150, compareBodies: { ignoreFields: ['requestId'] } });

    expect(answer.status).toBe(200);
    const proposal = answer.body as Proposal;
    const mirror = proposal.staging?.mirror as MirrorFigures;
    expect({ status: proposal.status, verdict: mirror.verdict, switchedOff: mirror.mirrorSwitchedOff, complete: mirror.windowsComplete, stackConfig: mirror.stackConfig, stableConfig: mirror.stableConfig }).toEqual({
      status: 'validated',
      verdict: 'pass',
      switchedOff: true,
      complete: true,
      stackConfig: CANDIDATE,
      stableConfig: STABLE,
    });
    expect(proposal.reason).toMatch(/^mirrored trial pass: no regression shown after \d+ mirrored requests$/);
    expect(mirror.mirror.requests).toBeGreaterThanOrEqual(150);
    // About half of production's requests were copied (sampleRate 0.5), over the same KPI windows (the last one ends after the mirror did).
    expect(mirror.mirror.requests / mirror.production.requests).toBeGreaterThan(0.3);
    expect(mirror.mirror.requests / mirror.production.requests).toBeLessThan(0.65);
    expect(mirror.mirror.shares).toMatchObject({ ok: 1, serverErrors: 0, connectErrors: 0 });
    // Every answer carries its own requestId, ignored: the copies' bodies equal production's.
    expect(mirror.bodies?.compared).toBeGreaterThan(100);
    expect(mirror.bodies).toMatchObject({ mismatched: 0, differs: false });
    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((sent) => sent.status === 200)).toBe(true);
    const versions = ((await http().get(`${POLICY}/versions`).expect(200)).body as { version: number; reason: string; config: Record<string, unknown> }[]).filter((version) => version.version > versionBefore);
    expect(versions.map((version) => version.reason)).toEqual(['mirroring stopped', `mirroring 0.5 of requests to ${CANDIDATE}`]);
    // The backstop: routing-control would remove the mirror itself a minute past the window.
    const until = Date.parse((versions[1].config['mirror'] as { until: string }).until);
    expect(until - Date.parse(mirror.endsAt)).toBeGreaterThanOrEqual(55_000);
    expect(until - Date.parse(mirror.endsAt)).toBeLessThanOrEqual(65_000);
    expect(versions[0].config).not.toHaveProperty('mirror');
    process.stdout.write(`mirrored trial (pass): ${JSON.stringify({ production: mirror.production, mirror: mirror.mirror, bodies: mirror.bodies, windows: mirror.windows, settledMs: mirror.settledMs, findings: mirror.findings })}\n`);
    await http().post(`/v1/proposals/${id}/reject`).send({ reason: 'the spec is done with it' }).expect(200);
  }, 150_000);

  it('rejects a candidate whose staging node answers 503, while production keeps answering 200', async () => {
    const id = await propose();
    await http().post(`/v1/proposals/${id}/stage`).expect(200);
    staging.faults.status = 503;
    try {
      // Every copy failing is decided by two KPI windows: a shorter trial than the pass needs.
      const { answer, production: answers } = await trial(id, { sampleRate: 0.5, windowSeconds: 20, minRequests: 150 });

      const proposal = answer.body as Proposal;
      const mirror = proposal.staging?.mirror as MirrorFigures;
      expect({ status: proposal.status, verdict: mirror.verdict, switchedOff: mirror.mirrorSwitchedOff }).toEqual({ status: 'rejected', verdict: 'fail', switchedOff: true });
      expect(proposal.reason).toMatch(/^mirrored trial fail: staging differs from production: errors/);
      expect(mirror.mirror.shares?.['serverErrors']).toBe(1);
      expect(answers.every((sent) => sent.status === 200)).toBe(true);
      const current = (await http().get(POLICY).expect(200)).body as { config: Record<string, unknown> };
      expect(current.config).not.toHaveProperty('mirror');
      process.stdout.write(`mirrored trial (fail): ${JSON.stringify({ production: mirror.production, mirror: mirror.mirror, windows: mirror.windows, settledMs: mirror.settledMs, findings: mirror.findings })}\n`);
    } finally {
      staging.faults.status = 200;
    }
  }, 150_000);

  it("rejects a candidate whose JSON answers differ from production's beyond the ignored fields", async () => {
    const id = await propose();
    await http().post(`/v1/proposals/${id}/stage`).expect(200);
    staging.faults.total = 13;
    try {
      const { answer, production: answers } = await trial(id, { sampleRate: 0.5, windowSeconds: 20, minRequests: 150, compareBodies: { ignoreFields: ['requestId'] } });

      const proposal = answer.body as Proposal;
      const mirror = proposal.staging?.mirror as MirrorFigures;
      expect({ status: proposal.status, verdict: mirror.verdict, differs: mirror.bodies?.differs, share: mirror.bodies?.share }).toEqual({ status: 'rejected', verdict: 'fail', differs: true, share: 1 });
      expect(proposal.reason).toBe('mirrored trial fail: staging differs from production: JSON bodies');
      expect(answers.every((sent) => sent.status === 200)).toBe(true);
      process.stdout.write(`mirrored trial (bodies): ${JSON.stringify({ bodies: mirror.bodies, findings: mirror.findings })}\n`);
    } finally {
      staging.faults.total = 12.5;
    }
  }, 150_000);
});
