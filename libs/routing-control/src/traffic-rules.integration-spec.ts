import { eventually } from '@strata/testing';
import { RoutingControlTestApp, startRoutingControlTestApp } from './test-support/routing-control-test-app';
import { SeededStack, publishTrafficWindow, seedStackWithPolicy } from './test-support/routing-fixtures';

const WINDOW_MS = 10_000;

describe('traffic rules', () => {
  let sut: RoutingControlTestApp;
  let seeded: SeededStack;
  const rulesPath = () => `/v1/stacks/${seeded.stack}/environments/production/traffic-rules`;
  const canaryErrors = { kind: 'ratio', metric: 'errorRate', above: 2, floor: 0.01 };

  const publishWindow = (stackConfig: string, requests: number, errors: number, start: number): Promise<void> =>
    publishTrafficWindow(sut, seeded.stack, stackConfig, { requests, errors }, start, WINDOW_MS);

  beforeAll(async () => {
    sut = await startRoutingControlTestApp('traffic-rules');
  }, 60_000);

  beforeEach(async () => {
    seeded = await seedStackWithPolicy(sut);
  });

  afterAll(async () => {
    await sut?.close();
  }, 30_000);

  it('refuses an invalid rule naming the field', async () => {
    const response = await sut.http().post(rulesPath()).send({ name: 'r', condition: { kind: 'ratio', metric: 'errorRate', above: 2 }, forMs: 0, action: { kind: 'setWeights', weights: { [seeded.stable]: 100 } } }).expect(422);
    expect(response.body.errors).toEqual([{ field: 'condition.floor', message: 'must be a number from 0 to 1000000000' }]);
  });

  it('refuses a name that is not a resource name, and a stack or environment the registry never announced', async () => {
    const rule = { condition: canaryErrors, forMs: 0, action: { kind: 'setWeights', weights: { [seeded.stable]: 100 } } };
    for (const name of ['../../etc', 'a/b c', 'Errors']) {
      const refused = await sut.http().post(rulesPath()).send({ ...rule, name }).expect(422);
      expect(refused.body.errors).toEqual([{ field: 'name', message: expect.stringContaining('lowercase letters, digits and hyphens') }]);
    }
    await sut.http().post(`/v1/stacks/${seeded.stack}-typo/environments/production/traffic-rules`).send({ ...rule, name: 'r' }).expect(404);
    await sut.http().post(`/v1/stacks/${seeded.stack}/environments/prodution/traffic-rules`).send({ ...rule, name: 'r' }).expect(404);
    expect((await sut.http().get(rulesPath()).expect(200)).body).toEqual([]);
  });

  it("refuses the abort action, pointing at rollback triggers: aborting a rollout is not a traffic rule's job", async () => {
    const response = await sut.http().post(rulesPath()).send({ name: 'r', condition: canaryErrors, forMs: 0, action: { kind: 'abortRollout' } }).expect(422);
    expect(response.body.errors).toEqual([{ field: 'action.kind', message: expect.stringContaining("aborting a rollout is a rollback trigger's job; declare it in the Rollout's spec.rollbackTriggers") }]);
    expect((await sut.http().get(rulesPath()).expect(200)).body).toEqual([]);
  });

  it("sets the weights once the canary's error rate has stayed above twice the stable one for the rule duration, and leaves the rollout to its triggers", async () => {
    await sut
      .http()
      .post(rulesPath())
      .send({ name: 'canary-errors', condition: canaryErrors, forMs: WINDOW_MS, action: { kind: 'setWeights', weights: { [seeded.stable]: 100, [seeded.canary]: 0 } } })
      .expect(201);
    const created = await sut.http().post(`/v1/stacks/${seeded.stack}/rollouts`).send({ name: 'canary', spec: { environment: 'production', versionGroup: seeded.canary, steps: [{ setWeight: 20 }, { pause: {} }] } }).expect(201);
    const policy = async () =>
      (await sut.http().get(`/v1/stacks/${seeded.stack}/environments/production/routing-policy`).expect(200)).body as { reason: string; createdBy: string; config: { stackConfigs: { name: string; weight: number }[] } };
    const canaryWeight = async (): Promise<number | undefined> => (await policy()).config.stackConfigs.find((stackConfig) => stackConfig.name === seeded.canary)?.weight;
    const start = Date.UTC(2026, 10, 27, 2, 0, 0);

    await publishWindow(seeded.stable, 1_000, 10, start);
    await publishWindow(seeded.canary, 200, 20, start);
    await eventually(async () => {
      const [rule] = (await sut.http().get(rulesPath()).expect(200)).body as { breachingSince: string | null; firedAt: string | null }[];
      expect(rule).toMatchObject({ breachingSince: new Date(start + WINDOW_MS).toISOString(), firedAt: null });
    });
    expect(await canaryWeight()).toBe(20);

    await publishWindow(seeded.stable, 1_000, 10, start + WINDOW_MS);
    await publishWindow(seeded.canary, 200, 20, start + WINDOW_MS);
    await eventually(async () => {
      const [rule] = (await sut.http().get(rulesPath()).expect(200)).body as { firedAt: string | null }[];
      expect(rule.firedAt).toBe(new Date(start + 2 * WINDOW_MS).toISOString());
      expect(await canaryWeight()).toBe(0);
    });
    expect(await policy()).toMatchObject({ createdBy: 'traffic-rule:canary-errors', reason: expect.stringContaining('traffic rule canary-errors: errorRate of the canary is 0.1') });
    expect((await sut.http().get(`/v1/rollouts/${created.body.id}`).expect(200)).body.phase).toBe('paused');
  }, 60_000);
});
