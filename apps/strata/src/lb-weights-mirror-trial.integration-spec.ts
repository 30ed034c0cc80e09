import { eventually } from '@strata/testing';
import { ServiceTestApp } from '@strata/testing/harness';
import { randomUUID } from 'node:crypto';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { request } from 'undici';
import { MirrorTrialApp, startMirrorTrialApp, validateUnderTraffic } from './test-support/mirror-trial-app';

const STACK = 'shop';
const STABLE = 'shop-1.0.0';
const POLICY = `/v1/stacks/${STACK}/environments/production/routing-policy`;

/** A production node: answers 200 after 2 ms, or 503 to a share `failing` of the requests. */
interface Node {
  id: string;
  url: string;
  server: Server;
  faults: { failing: number };
}

async function startNode(id: string): Promise<Node> {
  const faults = { failing: 0 };
  const server = createServer((incoming, answer) => {
    incoming.resume();
    const status = Math.random() < faults.failing ? 503 : 200;
    setTimeout(() => answer.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify({ node: id })), 2);
  });
  server.keepAliveTimeout = 60_000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { id, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server, faults };
}

interface NodeShares {
  nodes: { node: string; expectedShare: number; copies: number; share: number; failedShare: number | null }[];
  copies: number;
  maxDeviation: number;
  differs: boolean;
}

interface Proposal {
  id: string;
  status: string;
  reason: string;
  staging: { method?: string; validated?: boolean; mirror?: { verdict: string; findings: string[]; stackConfig: string; stableConfig: string; mirrorSwitchedOff: boolean; nodeWeights: Record<string, number>; nodeShares: NodeShares; production: { requests: number; shares: Record<string, number> | null }; mirror: { requests: number; shares: Record<string, number> | null } } } | null;
}

/**
 * Issue [P] point 4's "validated with mirrored traffic before promotion", on PostgreSQL and Kafka
 * with every part real: the registry, routing-control, metrics-ingest, the rollback service and
 * predictive-staging on one origin, and a gateway on the same bus in front of two production nodes.
 * A staged lb-weights proposal is validated by mirroring half of production's requests to the same
 * stack config with the proposed weights: the copies land on the nodes by them, and the canary judge
 * compares them with production's requests (spread without weights), besides each node's share.
 */
describe('validation of lb-weights with mirrored traffic', () => {
  let app: MirrorTrialApp;
  let sut: ServiceTestApp;
  let gatewayUrl: string;
  let nodeA: Node;
  let nodeB: Node;
  const http = () => sut.http();

  /** A proposed lb-weights proposal for STABLE, its peak an hour ahead, as predictive-staging makes them from forecasts. */
  const propose = async (weights: Record<string, number>): Promise<string> => {
    const id = randomUUID();
    const peakAt = new Date(Date.now() + 3_600_000).toISOString();
    await sut.sql.query(
      `INSERT INTO staging.proposals (id, kind, stack, environment, component, title, status, reason, target, change, evidence, expected, created_by)
       VALUES ($1, 'lb-weights', $2, 'production', 'shop-api', 'shop-api node weights', 'proposed', 'a spec proposes them', $3, $4, '{}', '{}', 'spec')`,
      [id, STACK, { stack: STACK, environment: 'production', component: 'shop-api', stackConfig: STABLE, horizonStart: new Date().toISOString(), peakAt }, { type: 'lb-rule', scope: 'node-weights', stackConfig: STABLE, weights, peakAt }],
    );
    await http().post(`/v1/proposals/${id}/stage`).expect(200);
    return id;
  };

  const trial = async (id: string, mirror: Record<string, unknown>) => {
    const { answer, production } = await validateUnderTraffic(app, id, mirror);
    return { answer, statuses: production.map((sent) => sent.status) };
  };

  beforeAll(async () => {
    app = await startMirrorTrialApp('lbw-mirror', STACK);
    ({ sut, gatewayUrl } = app);
    [nodeA, nodeB] = await Promise.all([startNode('node-a'), startNode('node-b')]);

    await http().post('/v1/stacks').send({ name: STACK, environments: [{ name: 'production' }] }).expect(201);
    await http().post('/v1/components').send({ name: 'shop-api', stack: STACK, type: 'app' }).expect(201);
    await http().post('/v1/components/shop-api/versions').send({ version: '1.0.0', config: { minReadyNodes: 0 }, spec: { artifact: 'registry.example/shop-api:1.0.0', port: 8080 } }).expect(201);
    await http().post(`/v1/stacks/${STACK}/version-groups`).send({ name: STABLE, environment: 'production', members: [{ component: 'shop-api', version: '1.0.0' }] }).expect(201);
    await http().post('/v1/environments/production/deployments').send({ stack: STACK, versionGroup: STABLE, location: 'production' }).expect(201);
    const policy = {
      component: 'shop-api',
      stableConfig: STABLE,
      stackConfigs: [{ name: STABLE, weight: 100, nodes: [{ id: nodeA.id, url: nodeA.url }, { id: nodeB.id, url: nodeB.url }] }],
      // A failing node stays in: ejecting it would keep the copies off it too, and the trial is about where they land.
      outlierDetection: { consecutiveFailures: 1_000, baseEjectionMs: 1_000, maxEjectionMs: 2_000 },
    };
    await eventually(async () => void (await http().put(POLICY).send(policy).expect(200)), 30_000, 200);
    await eventually(async () => expect((await request(`${gatewayUrl}/orders`)).statusCode).toBe(200), 30_000, 200);
  }, 180_000);

  afterAll(async () => {
    await app?.close();
    await Promise.all([nodeA, nodeB].filter(Boolean).map((node) => new Promise((resolve) => node.server.close(resolve))));
  }, 60_000);

  it('validates weights whose copies answer like production and split as the weights ask; the mirror off after', async () => {
    const id = await propose({ [nodeA.id]: 30, [nodeB.id]: 70 });

    const { answer, statuses } = await trial(id, { sampleRate: 0.5, windowSeconds: 20, minRequests: 150 });

    expect(answer.status).toBe(200);
    const proposal = answer.body as Proposal;
    const mirror = proposal.staging?.mirror;
    // The figures are printed before the verdict is checked: a failure then says which figure decided it.
    process.stdout.write(`lb-weights trial (pass case): ${JSON.stringify({ production: mirror?.production, mirror: mirror?.mirror, shares: mirror?.nodeShares?.nodes, findings: mirror?.findings })}\n`);
    expect({ status: proposal.status, verdict: mirror?.verdict, stackConfig: mirror?.stackConfig, stableConfig: mirror?.stableConfig, switchedOff: mirror?.mirrorSwitchedOff, weights: mirror?.nodeWeights }).toEqual({
      status: 'validated',
      verdict: 'pass',
      stackConfig: STABLE,
      stableConfig: STABLE,
      switchedOff: true,
      weights: { [nodeA.id]: 30, [nodeB.id]: 70 },
    });
    expect(proposal.staging?.method).toBe('compile-check');
    expect(proposal.reason).toMatch(/^mirrored trial pass: no regression shown after \d+ mirrored requests$/);
    const shares = mirror?.nodeShares as NodeShares;
    expect(shares.copies).toBeGreaterThanOrEqual(150);
    expect(shares.differs).toBe(false);
    // sigma of a 0.7 share over ≥ 150 copies is ≤ 3.7 pp: 0.6 to 0.8 is more than 2.5 sigma either side.
    expect(shares.nodes.find((node) => node.node === nodeB.id)?.share).toBeGreaterThan(0.6);
    expect(shares.nodes.find((node) => node.node === nodeB.id)?.share).toBeLessThan(0.8);
    expect(mirror?.findings.at(-1)).toMatch(/^node shares: as the weights ask/);
    expect(statuses.every((status) => status === 200)).toBe(true);
    const current = (await http().get(POLICY).expect(200)).body as { config: Record<string, unknown> };
    expect(current.config).not.toHaveProperty('mirror');
  }, 150_000);

  it('rejects weights that send more of the traffic to a node answering 503, naming errors; the node is in the figures', async () => {
    const id = await propose({ [nodeA.id]: 10, [nodeB.id]: 90 });
    // 90 % of node-b's answers fail: production (even over both nodes) sees about 45 % errors, the copies (90 % on node-b)
    // about 81 %, a gap the judge calls within the window even on a loaded machine (at half failing, 26 % against 40 %,
    // a loaded CI run once ended the window inconclusive).
    nodeB.faults.failing = 0.9;
    try {
      const { answer, statuses } = await trial(id, { sampleRate: 0.5, windowSeconds: 20, minRequests: 150 });

      const proposal = answer.body as Proposal;
      const mirror = proposal.staging?.mirror;
      expect({ status: proposal.status, verdict: mirror?.verdict, switchedOff: mirror?.mirrorSwitchedOff }).toEqual({ status: 'rejected', verdict: 'fail', switchedOff: true });
      expect(proposal.reason).toMatch(/^mirrored trial fail: staging differs from production: errors/);
      // Production spreads its requests over both nodes; the copies, 90 % on node-b, fail far more often.
      expect(mirror?.mirror.shares?.['serverErrors']).toBeGreaterThan((mirror?.production.shares?.['serverErrors'] ?? 1) + 0.05);
      expect(mirror?.nodeShares.nodes.find((node) => node.node === nodeB.id)?.failedShare).toBeGreaterThan(0.6);
      expect(statuses.some((status) => status === 503)).toBe(true);
      process.stdout.write(`lb-weights trial (fail): ${JSON.stringify({ production: mirror?.production, mirror: mirror?.mirror, shares: mirror?.nodeShares.nodes, findings: mirror?.findings })}\n`);
    } finally {
      nodeB.faults.failing = 0;
    }
  }, 150_000);

  it('refuses a share tolerance outside (0, 1] naming the field, and never turns a mirror on', async () => {
    const id = await propose({ [nodeA.id]: 50, [nodeB.id]: 50 });
    const answer = await http().post(`/v1/proposals/${id}/validate`).send({ mirror: { sampleRate: 0.5, windowSeconds: 20, maxShareDeviation: 1.5 } });
    // Out of range answers 422, as mirror.sampleRate's does.
    expect(answer.status).toBe(422);
    expect((answer.body as { errors: { field: string }[] }).errors.map((error) => error.field)).toEqual(['mirror.maxShareDeviation']);
    expect(((await http().get(POLICY).expect(200)).body as { config: Record<string, unknown> }).config).not.toHaveProperty('mirror');
  }, 30_000);
});
