import type { KpiSeriesLabels } from '@strata/contracts';
import { aStackName, eventually } from '@strata/testing';
import { PredictiveStagingTestApp, startPredictiveStagingTestApp, testSettings } from './test-support/predictive-staging-test-app';
import { feedWindows, noise } from './test-support/series-fixtures';

interface AppVersionProposal {
  id: string;
  kind: string;
  status: string;
  component: string;
  title: string;
  reason: string;
  target: { stack: string; environment: string; component: string; runningVersion: string; runningGroup: string };
  change: { type: string; reason: string; version: string; versionGroup: string };
  evidence: {
    anomalies: { anomalyId: string; seriesId: string; metric: string; node: string | null; severity: string; score: number; observed: number; expected: number | null }[];
    skipped: unknown[];
    stagingSkipped: unknown[];
    alternative: { reason: string; versionGroup: string; version: string; windows: number } | null;
  };
  expected: { metrics: { metric: string; now: number; lastKnownGood: number | null; lastKnownGoodWindows: number; expectedReduction: number | null }[] };
}

const METRIC = 'gateway_error_rate';
const LEARNED = 170;

/** An error rate around 1 % for `LEARNED` windows (the detector learns it), then `after` % for `tail` windows. */
function errorRate(seed: number, after: number, tail = 5): number[] {
  const next = noise(seed);
  return Array.from({ length: LEARNED + tail }, (_, t) => (t < LEARNED ? 1 : after) + 0.05 * next());
}

/**
 * The acceptance of issue [P] point 5 on the real PostgreSQL and the in-memory bus: the registry's
 * events deploy group v1, then v2 of an app; v2's error rate regresses → an anomaly → an app-version
 * proposal naming v1 as last known good, with the anomaly as evidence and the expected effect as
 * numbers; a second anomaly adds evidence to the same proposal; a stack with no earlier deployment
 * gets none.
 */
describe('predictive-staging app-version proposals', () => {
  let sut: PredictiveStagingTestApp;
  const stack = aStackName('ps-app');
  const labels = (stackConfig: string, node: string, onStack = stack): KpiSeriesLabels => ({ stack: onStack, environment: 'production', component: 'shop-api', stackConfig, node, metric: METRIC });

  const deploy = async (onStack: string, versionGroup: string, apiVersion: string, location: 'production' | 'staging' = 'production') => {
    await sut.publishRegistryEvent('io.strata.registry.deployment.recorded.v1', {
      stack: onStack,
      environment: 'production',
      location,
      versionGroup,
      members: [
        { component: 'shop-api', version: apiVersion },
        { component: 'shop-db', version: '1.0.0' },
      ],
      actor: 'alice',
    });
  };
  const register = async (onStack: string, component: string, type: string, version: string) => {
    await sut.publishRegistryEvent('io.strata.registry.component-version.registered.v1', { stack: onStack, component, type, version, checksum: `sha-${version}`, dependencies: [] });
  };
  const deployments = async (onStack: string) => Number((await sut.sql.query<{ count: string }>('SELECT count(*) FROM staging.deployments WHERE stack = $1', [onStack])).rows[0]?.count);
  const appVersionProposals = async (onStack: string) => (await sut.http().get(`/v1/proposals?kind=app-version&stack=${onStack}`).expect(200)).body.items as AppVersionProposal[];
  const proposalEvents = () => sut.published.filter((event) => event.type === 'io.strata.staging.proposal.changed.v1' && (event.data as { kind: string }).kind === 'app-version');

  beforeAll(async () => {
    sut = await startPredictiveStagingTestApp('ps-app-versions', testSettings({ historyPoints: 1_000 }));
    for (const version of ['1.0.0', '2.0.0']) await register(stack, 'shop-api', 'app', version);
    await register(stack, 'shop-db', 'db-schema', '1.0.0');
    await deploy(stack, `${stack}@1`, '1.0.0');
    // A group tried in the staging location is not what production ran: it is kept apart from the history.
    await deploy(stack, `${stack}@1-rc`, '1.1.0-rc.1', 'staging');
    await deploy(stack, `${stack}@2`, '2.0.0');
    // A stack's events are applied in order: once v2 is there, the staging one was handled before it.
    await eventually(
      async () =>
        expect((await sut.sql.query('SELECT location, version_group FROM staging.deployments WHERE stack = $1 ORDER BY id', [stack])).rows.map((row: { location: string; version_group: string }) => `${row.location} ${row.version_group}`)).toEqual([
          `production ${stack}@1`,
          `staging ${stack}@1-rc`,
          `production ${stack}@2`,
        ]),
      10_000,
      50,
    );
    // v1 ran at about 1 % errors.
    await feedWindows(sut, 'v1-node-1', labels(`${stack}@1`, 'node-1'), errorRate(11, 1, 0).slice(0, 40));
  }, 60_000);

  afterAll(async () => {
    await sut?.close();
  });

  it("proposes v1 as last known good when v2's error rate regresses, with the anomaly as evidence and the expected effect as numbers", async () => {
    await feedWindows(sut, 'v2-node-1', labels(`${stack}@2`, 'node-1'), errorRate(21, 8));
    const { rows: anomalies } = await sut.sql.query<{ id: string }>(`SELECT id::text AS id FROM staging.anomalies WHERE series_id = 'v2-node-1'`);
    expect(anomalies).toHaveLength(1);

    const [proposal, ...others] = await appVersionProposals(stack);
    expect(others).toEqual([]);
    expect(proposal).toMatchObject({
      kind: 'app-version',
      status: 'proposed',
      component: 'shop-api',
      title: `shop-api 2.0.0 → 1.0.0 (last known good, ${stack}@1)`,
      target: { stack, environment: 'production', component: 'shop-api', runningVersion: '2.0.0', runningGroup: `${stack}@2` },
      change: { type: 'app', reason: 'last-known-good', version: '1.0.0', versionGroup: `${stack}@1` },
    });
    expect(proposal!.reason).toMatch(new RegExp(`^${METRIC} regressed under shop-api 2.0.0 \\(${stack}@2\\): 8\\.\\d+ where 1\\.\\d+ was expected, score \\d\\.\\d\\d, (high|critical); ${stack}@1 ran before it`));
    expect(proposal!.evidence.anomalies).toEqual([expect.objectContaining({ anomalyId: anomalies[0]!.id, seriesId: 'v2-node-1', metric: METRIC, node: 'node-1', observed: expect.closeTo(8, 0), expected: expect.closeTo(1, 0) })]);
    const [effect] = proposal!.expected.metrics;
    expect(effect).toMatchObject({ metric: METRIC, now: expect.closeTo(8, 0), lastKnownGood: expect.closeTo(1, 1), lastKnownGoodWindows: 40 });
    expect(effect!.expectedReduction).toBeGreaterThan(0.8);
    // The release candidate tried in staging is older than the running 2.0.0: no alternative.
    expect(proposal!.evidence).toMatchObject({ alternative: null, stagingSkipped: [{ versionGroup: `${stack}@1-rc`, reason: 'carries shop-api 1.1.0-rc.1, not newer than 2.0.0' }] });
    await eventually(async () => expect(proposalEvents().map((event) => event.data)).toEqual([expect.objectContaining({ proposalId: proposal!.id, kind: 'app-version', from: null, status: 'proposed', actor: 'predictive-staging' })]), 10_000, 50);
  }, 120_000);

  it('adds a second anomaly of the running group to the same proposal instead of making another', async () => {
    await feedWindows(sut, 'v2-node-2', labels(`${stack}@2`, 'node-2'), errorRate(31, 9));
    const proposals = await appVersionProposals(stack);
    expect(proposals).toHaveLength(1);
    expect(proposals[0]!.evidence.anomalies.map((anomaly) => anomaly.seriesId).sort()).toEqual(['v2-node-1', 'v2-node-2']);
    expect(proposals[0]!.expected.metrics[0]!.now).toBeCloseTo(8.5, 0);
    expect(proposalEvents()).toHaveLength(1);
  }, 120_000);

  it('passes over an earlier group that regressed while it ran, naming it in the evidence', async () => {
    const third = aStackName('ps-third');
    await register(third, 'shop-api', 'app', '1.0.0');
    await deploy(third, `${third}@1`, '1.0.0');
    await deploy(third, `${third}@2`, '2.0.0');
    await eventually(async () => expect(await deployments(third)).toBe(2), 10_000, 50);
    await feedWindows(sut, 'third-v2', labels(`${third}@2`, 'node-1', third), errorRate(51, 8));
    await deploy(third, `${third}@3`, '3.0.0');
    await eventually(async () => expect(await deployments(third)).toBe(3), 10_000, 50);
    await feedWindows(sut, 'third-v3', labels(`${third}@3`, 'node-1', third), errorRate(61, 8));
    const proposals = await appVersionProposals(third);
    expect(proposals.map((proposal) => `${proposal.target.runningGroup} → ${proposal.change.versionGroup}`)).toEqual([`${third}@3 → ${third}@1`, `${third}@2 → ${third}@1`]);
    expect(proposals[0]!.evidence.skipped).toEqual([{ versionGroup: `${third}@2`, reason: 'had a regression anomaly while it ran' }]);
  }, 120_000);

  it('makes no proposal for a stack with no earlier deployment: nothing is known good', async () => {
    const solo = aStackName('ps-solo');
    await register(solo, 'shop-api', 'app', '1.0.0');
    await deploy(solo, `${solo}@1`, '1.0.0');
    await eventually(async () => expect(await deployments(solo)).toBe(1), 10_000, 50);
    await feedWindows(sut, 'solo-node-1', labels(`${solo}@1`, 'node-1', solo), errorRate(41, 8));
    const { rows } = await sut.sql.query<{ count: string }>(`SELECT count(*) FROM staging.anomalies WHERE series_id = 'solo-node-1'`);
    expect(Number(rows[0]?.count)).toBe(1);
    expect(await appVersionProposals(solo)).toEqual([]);
  }, 120_000);

  it('proposes a newer version that ran healthy in staging when nothing earlier is known good, naming the staged groups passed over', async () => {
    const fwd = aStackName('ps-fwd');
    for (const version of ['1.0.0', '1.0.1', '1.0.3']) await register(fwd, 'shop-api', 'app', version);
    await deploy(fwd, `${fwd}@1`, '1.0.0');
    await deploy(fwd, `${fwd}@fix`, '1.0.1', 'staging');
    await deploy(fwd, `${fwd}@thin`, '1.0.3', 'staging');
    await eventually(async () => expect(await deployments(fwd)).toBe(3), 10_000, 50);
    // 1.0.1 ran eight windows in staging at 1 % errors; 1.0.3 only three (deployed, barely measured).
    await feedWindows(sut, 'fwd-fix', labels(`${fwd}@fix`, 'staging-node', fwd), errorRate(71, 1, 0).slice(0, 8));
    await feedWindows(sut, 'fwd-thin', labels(`${fwd}@thin`, 'staging-node', fwd), errorRate(72, 1, 0).slice(0, 3));

    await feedWindows(sut, 'fwd-v1', labels(`${fwd}@1`, 'node-1', fwd), errorRate(73, 8));

    const [proposal, ...others] = await appVersionProposals(fwd);
    expect(others).toEqual([]);
    expect(proposal).toMatchObject({
      title: `shop-api 1.0.0 → 1.0.1 (newer, healthy in staging, ${fwd}@fix)`,
      target: { runningVersion: '1.0.0', runningGroup: `${fwd}@1` },
      change: { type: 'app', reason: 'healthy-in-staging', version: '1.0.1', versionGroup: `${fwd}@fix` },
      evidence: { alternative: null, skipped: [], stagingSkipped: [{ versionGroup: `${fwd}@thin`, reason: '3 KPI windows kept under it in staging, fewer than 6' }] },
    });
    expect(proposal!.reason).toMatch(new RegExp(`nothing earlier is known good \\(no deployment before ${fwd}@1 is known in this environment\\); ${fwd}@fix ran shop-api 1\\.0\\.1 in production's staging without a regression anomaly$`));
    // The expected effect is the error rate 1.0.1 showed in staging against the regression's.
    expect(proposal!.expected.metrics[0]).toMatchObject({ metric: METRIC, lastKnownGood: expect.closeTo(1, 1), lastKnownGoodWindows: 8 });
  }, 120_000);

  it('keeps a newer version healthy in staging as the alternative beside the last known good it proposes', async () => {
    const alt = aStackName('ps-alt');
    for (const version of ['1.0.0', '2.0.0', '2.1.0']) await register(alt, 'shop-api', 'app', version);
    await deploy(alt, `${alt}@1`, '1.0.0');
    await deploy(alt, `${alt}@2`, '2.0.0');
    await deploy(alt, `${alt}@3`, '2.1.0', 'staging');
    await eventually(async () => expect(await deployments(alt)).toBe(3), 10_000, 50);
    await feedWindows(sut, 'alt-v3', labels(`${alt}@3`, 'staging-node', alt), errorRate(81, 1, 0).slice(0, 8));

    await feedWindows(sut, 'alt-v2', labels(`${alt}@2`, 'node-1', alt), errorRate(82, 8));

    const [proposal] = await appVersionProposals(alt);
    expect(proposal).toMatchObject({
      change: { reason: 'last-known-good', version: '1.0.0', versionGroup: `${alt}@1` },
      evidence: { alternative: { reason: 'healthy-in-staging', versionGroup: `${alt}@3`, version: '2.1.0', windows: 8 }, stagingSkipped: [] },
    });
  }, 120_000);

  it("stages an app-version proposal through the rollback service (503 naming it when it cannot be reached), and lets it be rejected", async () => {
    const [proposal] = await appVersionProposals(stack);
    const staged = await sut.http().post(`/v1/proposals/${proposal!.id}/stage`).expect(503);
    expect(staged.body.detail).toMatch(/^the rollback service at http:\/\/127\.0\.0\.1:1 cannot be reached/);
    await sut.http().post(`/v1/proposals/${proposal!.id}/reject`).send({ reason: 'rolled back by hand' }).expect(200);
    expect((await appVersionProposals(stack))[0]).toMatchObject({ status: 'rejected', reason: 'rolled back by hand' });
  });
});
