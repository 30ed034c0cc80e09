import { EventData, topicOfEvent } from '@strata/contracts';
import { InMemoryEventBus, newEvent } from '@strata/messaging';
import { aStackName } from '@strata/testing';
import { DeadLetters, ServiceTestApp } from '@strata/testing/harness';
import { RollbackCatalogApp, startRollbackCatalogApp } from './test-support/rollback-catalog-app';

const ENVIRONMENT = 'production';
const ERRORS = 'error_rate(canary) > 2 * error_rate(stable) and error_rate(canary) > 0.01';

interface TriggerBody {
  name: string;
  source: string;
  spec: Record<string, unknown>;
  createdBy: string;
  updatedAt: string;
}

/**
 * `RollbackTrigger` manifests as the rollback service receives them from the registry
 * (`io.strata.registry.rollback-trigger.declared.v1`), on real PostgreSQL: the trigger is created,
 * left alone when the same spec comes again, replaced when it changes; one this service refuses
 * (a version skew) is dead-lettered.
 */
describe('rollback triggers declared by manifests', () => {
  let sut: ServiceTestApp<InMemoryEventBus>;
  let deadLetters: DeadLetters;
  let handled: RollbackCatalogApp['handled'];
  let stack: string;

  const declare = async (name: string, spec: Record<string, unknown>): Promise<string> => {
    const data: EventData<'io.strata.registry.rollback-trigger.declared.v1'> = { stack, environment: ENVIRONMENT, name, spec, actor: 'dana' };
    const event = newEvent({ type: 'io.strata.registry.rollback-trigger.declared.v1', service: 'registry', subject: stack, data });
    await sut.bus.publish([{ topic: topicOfEvent(event.type), key: stack, value: JSON.stringify(event) }]);
    return event.id;
  };
  const path = (name = '') => `/v1/stacks/${stack}/environments/${ENVIRONMENT}/rollback-triggers${name ? `/${name}` : ''}`;

  beforeAll(async () => {
    ({ sut, deadLetters, handled } = await startRollbackCatalogApp('rollback-trigger-manifests'));
  }, 60_000);

  beforeEach(() => {
    stack = aStackName('rtm');
  });

  afterAll(async () => {
    await sut?.close();
  }, 30_000);

  it('creates the trigger the manifest declares, leaves it alone when the same spec comes again, replaces it when the spec changes', async () => {
    const spec = { when: ERRORS, window: '3s', minRequests: 20, scope: { versionGroup: 'shop-2' }, action: 'rollback', coolDown: '10m' };
    await handled(await declare('canary-errors', spec));
    const created = (await sut.http().get(path('canary-errors')).expect(200)).body as TriggerBody;
    expect(created).toMatchObject({ name: 'canary-errors', source: 'api', spec, createdBy: 'dana' });

    // The same manifest applied again: nothing changes, not even when it was last updated.
    await handled(await declare('canary-errors', { ...spec, scope: { versionGroup: 'shop-2' } }));
    expect((await sut.http().get(path('canary-errors')).expect(200)).body).toEqual(created);

    await handled(await declare('canary-errors', { ...spec, dryRun: true }));
    const replaced = (await sut.http().get(path('canary-errors')).expect(200)).body as TriggerBody;
    expect(replaced.spec).toEqual({ ...spec, dryRun: true });
    expect(Date.parse(replaced.updatedAt)).toBeGreaterThan(Date.parse(created.updatedAt));
    expect((await sut.http().get(path()).expect(200)).body).toHaveLength(1);
  });

  it('dead-letters a trigger it refuses (the registry validated it: only a version skew gets here), and creates nothing', async () => {
    const eventId = await declare('from-the-future', { when: 'p999(canary) > 3', action: 'quarantine' });
    expect(await deadLetters.reasonOf(eventId)).toMatch(/permanent failure.*rollback trigger from-the-future is invalid/);
    await sut.http().get(path('from-the-future')).expect(404);
    // The subscription goes on: a later declaration of the stack is created.
    await handled(await declare('nack', { when: 'gateway == nack', action: 'abort' }));
    expect(((await sut.http().get(path()).expect(200)).body as TriggerBody[]).map((trigger) => trigger.name)).toEqual(['nack']);
  });
});
