import { KafkaEventBus } from '@strata/messaging';
import { eventually, requireKafkaBrokers, uniqueTopicPrefix } from '@strata/testing';
import { RoutingControlTestApp, startRoutingControlTestApp } from './test-support/routing-control-test-app';
import { SeededStack, seedStackWithPolicy } from './test-support/routing-fixtures';

interface RolloutBody {
  id: string;
  phase: string;
  canaryWeight: number;
  reason: string | null;
}

/** The rollback service's abort requests (it watches rollback triggers), consumed from a real Kafka broker. */
describe('rollout abort requests on Kafka', () => {
  let sut: RoutingControlTestApp;
  let seeded: SeededStack;

  const rollout = async (id: string): Promise<RolloutBody> => (await sut.http().get(`/v1/rollouts/${id}`).expect(200)).body as RolloutBody;
  const transitionCount = async (id: string): Promise<number> => ((await sut.http().get(`/v1/rollouts/${id}/transitions`).expect(200)).body as object[]).length;
  const policy = async () => (await sut.http().get(`/v1/stacks/${seeded.stack}/environments/production/routing-policy`).expect(200)).body as { version: number; config: { stackConfigs: { name: string; weight: number }[] } };
  const weights = async (): Promise<Record<string, number>> => Object.fromEntries((await policy()).config.stackConfigs.map((stackConfig) => [stackConfig.name, stackConfig.weight]));
  /** Waits until routing-control has applied these events: their inbox rows commit with the handler's writes (a dead-lettered one has none). */
  const handled = (eventIds: string[]) =>
    eventually(async () => expect((await sut.sql.query('SELECT 1 FROM routing.inbox WHERE event_id = ANY($1)', [eventIds])).rowCount).toBe(eventIds.length), 30_000, 200);

  beforeAll(async () => {
    sut = await startRoutingControlTestApp('rollout-aborts', () => new KafkaEventBus({ brokers: requireKafkaBrokers(), clientId: 'routing-control-test', topicPrefix: uniqueTopicPrefix('routing'), partitions: 3, replicationFactor: 1 }));
    seeded = await seedStackWithPolicy(sut);
  }, 120_000);

  afterAll(async () => {
    await sut?.close();
  }, 30_000);

  it('aborts the named rollout as an operator abort does, with the reason and actor of the request; an ended or unknown one is left alone', async () => {
    const name = `canary-${seeded.stack}`;
    const created = await sut.http().post(`/v1/stacks/${seeded.stack}/rollouts`).send({ name, spec: { environment: 'production', versionGroup: seeded.canary, steps: [{ setWeight: 30 }, { pause: {} }] } }).expect(201);
    const id = (created.body as RolloutBody).id;
    expect(await weights()).toEqual({ [seeded.stable]: 70, [seeded.canary]: 30 });
    const request = {
      requestId: `abort-${seeded.stack}`,
      stack: seeded.stack,
      environment: 'production',
      rollout: name,
      reason: 'rollback trigger "error_rate(canary) > 0.05" held: canary error rate 30.00 % of 100',
      actor: 'rollback',
    };

    await handled([(await sut.publish('io.strata.rollback.rollout.abort-requested.v1', 'rollback', request)).id]);
    expect(await rollout(id)).toMatchObject({ phase: 'aborted', canaryWeight: 0, reason: request.reason });
    expect(await weights()).toEqual({ [seeded.stable]: 100, [seeded.canary]: 0 });
    await eventually(
      async () => expect(sut.routingEvents.map((event) => event.data)).toContainEqual(expect.objectContaining({ rollout: name, from: 'paused', to: 'aborted', reason: request.reason, actor: 'rollback' })),
      30_000,
      200,
    );
    await sut.tick();
    const ended = await rollout(id);
    expect(ended.phase).toBe('rolled-back');

    const before = { policy: (await policy()).version, transitions: await transitionCount(id) };
    await handled([
      (await sut.publish('io.strata.rollback.rollout.abort-requested.v1', 'rollback', { ...request, requestId: `${request.requestId}-again`, reason: 'fired again' })).id,
      (await sut.publish('io.strata.rollback.rollout.abort-requested.v1', 'rollback', { ...request, requestId: `${request.requestId}-unknown`, rollout: `unknown-${seeded.stack}` })).id,
    ]);
    expect(await rollout(id)).toEqual(ended);
    expect((await policy()).version).toBe(before.policy);
    expect(await transitionCount(id)).toBe(before.transitions);
  }, 120_000);
});
