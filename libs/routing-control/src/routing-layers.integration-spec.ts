import { eventually } from '@strata/testing';
import { RoutingControlTestApp, startRoutingControlTestApp } from './test-support/routing-control-test-app';
import { SeededStack, seedStackWithPolicy } from './test-support/routing-fixtures';

/** The routing layers an execution's steps ask for (`io.strata.rollback.routing.requested.v1`), and their deadline. */
describe('routing layers requested by executions', () => {
  let sut: RoutingControlTestApp;
  let seeded: SeededStack;

  const answerTo = (requestId: string) =>
    eventually(async () => {
      const { rows } = await sut.sql.query<{ data: { outcome: string; reason: string; version: number | null } }>(
        `SELECT event->'data' AS data FROM routing.outbox WHERE event_type = 'io.strata.routing.layers.converged.v1' AND event->'data'->>'requestId' = $1`,
        [requestId],
      );
      expect(rows).toHaveLength(1);
      return rows[0]!.data;
    }, 15_000, 100);
  /** An execution step's traffic request moving all traffic to the canary, with its deadline. */
  const requestTraffic = (requestId: string, notAfter: number) =>
    sut.publish('io.strata.rollback.routing.requested.v1', 'rollback', {
      requestId,
      stack: seeded.stack,
      environment: 'production',
      traffic: { versionGroup: seeded.canary, component: 'checkout-api' },
      reason: `execution step of ${requestId} (traffic)`,
      notAfter,
    });
  const policyVersion = async () => ((await sut.http().get(`/v1/stacks/${seeded.stack}/environments/production/routing-policy`).expect(200)).body as { version: number }).version;

  beforeAll(async () => {
    sut = await startRoutingControlTestApp('routing-layers');
  }, 60_000);

  beforeEach(async () => {
    seeded = await seedStackWithPolicy(sut);
  });

  afterAll(async () => {
    await sut?.close();
  }, 30_000);

  it("refuses, changing nothing, a request that arrives after its deadline: its step no longer waits, and a policy published now would move traffic behind a failed execution's back", async () => {
    const before = await policyVersion();
    const requestId = `late-${seeded.stack}`;
    await requestTraffic(requestId, Date.now() - 60_000);
    const answer = await answerTo(requestId);
    expect(answer).toMatchObject({ outcome: 'rejected', version: null, reason: expect.stringContaining('after its deadline') });
    expect(await policyVersion()).toBe(before);
  });

  it('applies one that arrives in time', async () => {
    const before = await policyVersion();
    const requestId = `in-time-${seeded.stack}`;
    await requestTraffic(requestId, Date.now() + 60_000);
    expect((await answerTo(requestId)).outcome).toBe('applied');
    expect(await policyVersion()).toBeGreaterThan(before);
  });
});
