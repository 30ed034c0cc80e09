import { EventData, EventType, topicOfEvent } from '@strata/contracts';
import { InMemoryEventBus, newEvent } from '@strata/messaging';
import { aStackName } from '@strata/testing';
import { DeadLetters, ServiceTestApp } from '@strata/testing/harness';
import { RollbackCatalogApp, startRollbackCatalogApp } from './test-support/rollback-catalog-app';

const ENVIRONMENT = 'production';

/**
 * `Deployment` manifests as the rollback service receives them from the registry
 * (`io.strata.registry.deployment.declared.v1`), on real PostgreSQL: a declaration of a stack,
 * environment or group the registry never announced is dead-lettered naming the field (the
 * registry announces each first, on the same partition, so waiting never makes it known); one
 * refused for what is going on here is logged and handled, as before.
 */
describe('deployments declared by manifests', () => {
  let sut: ServiceTestApp<InMemoryEventBus>;
  let deadLetters: DeadLetters;
  let handled: RollbackCatalogApp['handled'];
  let stack: string;

  const publish = async <TType extends EventType>(type: TType, data: EventData<TType>): Promise<string> => {
    const event = newEvent({ type, service: 'registry', subject: (data as { stack: string }).stack, data });
    await sut.bus.publish([{ topic: topicOfEvent(type), key: event.subject ?? null, value: JSON.stringify(event) }]);
    return event.id;
  };
  const declare = (declared: { stack?: string; environment?: string; versionGroup: string }) =>
    publish('io.strata.registry.deployment.declared.v1', { stack, environment: ENVIRONMENT, actor: 'dana', ...declared });
  const executions = async (of = stack) => (await sut.http().get(`/v1/executions?stack=${of}`).expect(200)).body.items as { versionGroup: string; environment: string }[];
  /** A stack as the registry announces it before any Deployment of it: its environment, a version with its definition, a group. */
  const announce = async (): Promise<void> => {
    await publish('io.strata.registry.stack.created.v1', { stack, environments: [{ name: ENVIRONMENT }] });
    const definition = { config: {}, spec: {}, rollback: [], healthCheck: null, target: {} };
    await publish('io.strata.registry.component-version.registered.v1', { stack, component: 'settings', type: 'infra-config', version: '1.0.0', checksum: 'sha-1', dependencies: [], definition });
    await handled(await publish('io.strata.registry.version-group.created.v1', { stack, versionGroup: `${stack}-1`, environment: ENVIRONMENT, members: [{ component: 'settings', version: '1.0.0' }] }));
  };

  beforeAll(async () => {
    ({ sut, deadLetters, handled } = await startRollbackCatalogApp('deployment-manifests'));
  }, 60_000);

  beforeEach(() => {
    stack = aStackName('dm');
  });

  afterAll(async () => {
    await sut?.close();
  }, 30_000);

  it('starts the forward execution of a Deployment of what the registry announced', async () => {
    await announce();
    await handled(await declare({ versionGroup: `${stack}-1` }));
    expect(await executions()).toEqual([expect.objectContaining({ versionGroup: `${stack}-1`, environment: ENVIRONMENT })]);
  });

  it('dead-letters a Deployment of a stack the registry never announced, naming data.stack, and starts nothing', async () => {
    const ghost = aStackName('ghost');
    const eventId = await declare({ stack: ghost, versionGroup: `${ghost}-1` });
    expect(await deadLetters.reasonOf(eventId)).toMatch(new RegExp(`^permanent failure handling io\\.strata\\.registry\\.deployment\\.declared\\.v1 ${eventId}: .*data\\.stack '${ghost}' is not a known stack`));
    expect(await executions(ghost)).toEqual([]);
    // The partition moves on: the next declaration is applied.
    await announce();
    await handled(await declare({ versionGroup: `${stack}-1` }));
    expect(await executions()).toHaveLength(1);
  });

  it('dead-letters a Deployment to an environment or of a group the stack does not have, naming the field', async () => {
    await announce();
    const toStaging = await declare({ environment: 'staging', versionGroup: `${stack}-1` });
    expect(await deadLetters.reasonOf(toStaging)).toMatch(/data\.environment 'staging' is not an environment of stack '.*' \(it has 'production'\)/);
    const ofGhostGroup = await declare({ versionGroup: `${stack}-9` });
    expect(await deadLetters.reasonOf(ofGhostGroup)).toContain(`data.versionGroup '${stack}-9' is not a version group of stack '${stack}'`);
    expect(await executions()).toEqual([]);
  });

  it('logs, and does not dead-letter, a Deployment refused for what is going on here: another execution holds the environment', async () => {
    await announce();
    await handled(await declare({ versionGroup: `${stack}-1` }));
    await handled(await publish('io.strata.registry.version-group.created.v1', { stack, versionGroup: `${stack}-2`, environment: ENVIRONMENT, members: [{ component: 'settings', version: '1.0.0' }] }));
    const busy = await declare({ versionGroup: `${stack}-2` });
    await handled(busy);
    expect(deadLetters.includesAny(busy)).toBe(false);
    expect((await executions()).map((execution) => execution.versionGroup)).toEqual([`${stack}-1`]);
  });
});
