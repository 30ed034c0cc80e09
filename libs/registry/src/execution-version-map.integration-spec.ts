import { randomUUID } from 'node:crypto';
import { EventData, topicOfEvent } from '@strata/contracts';
import { InMemoryEventBus, newEvent } from '@strata/messaging';
import { aStackName, eventually } from '@strata/testing';
import { RegistryTestApp, startRegistryTestApp } from './test-support/registry-test-app';

type Change = EventData<'io.strata.rollback.execution.changed.v1'>['change'];

interface VersionMap {
  slots: { location: string; component: string; version: string; status: string; executionId: string | null }[];
  deployedGroups: { location: string; versionGroup: string }[];
}

/**
 * The version map as the rollback service's executions move it (`execution.changed`): a deploy
 * claims its members' slots (`deploying`), each step applies one (`deployed`); a deploy that fails
 * or is abandoned before reaching a slot puts it back, so the map never shows a version that was
 * not applied; a retried one claims the slots again.
 */
describe('registry version map following executions', () => {
  let sut: RegistryTestApp;
  let bus: InMemoryEventBus;
  let stack: string;
  let db: string;
  let api: string;
  let cfg: string;
  const groups: Record<string, { component: string; version: string }[]> = {};

  const post = (path: string, body: object) => sut.http().post(path).send(body);
  const versionMap = async (): Promise<VersionMap> => (await sut.http().get(`/v1/stacks/${stack}/environments/production/version-map`).expect(200)).body as VersionMap;
  const production = async () =>
    Object.fromEntries(
      (await versionMap()).slots
        .filter((slot) => slot.location === 'production')
        .map((slot) => [slot.component, `${slot.version} ${slot.status}`]),
    );
  const deployedGroups = async () => (await versionMap()).deployedGroups.filter((deployed) => deployed.location === 'production').map((deployed) => deployed.versionGroup);

  /** One execution of the rollback service, as its events tell it; each event is awaited until the registry applied it. */
  const execution = (versionGroup: string) => {
    const executionId = randomUUID();
    return async (change: Change, step: { component: string; fromVersion: string | null; toVersion: string } | null = null) => {
      const data: EventData<'io.strata.rollback.execution.changed.v1'> = {
        executionId,
        kind: 'deploy',
        stack,
        environment: 'production',
        versionGroup,
        fromVersionGroup: null,
        change,
        status: change === 'succeeded' || change === 'failed' || change === 'abandoned' ? change : 'running',
        step: step ? { index: 0, action: 'apply', type: 'app', error: null, ...step } : null,
        members: groups[versionGroup] as { component: string; version: string }[],
        reverted: [],
        actor: 'dana',
      };
      const event = newEvent({ type: 'io.strata.rollback.execution.changed.v1', service: 'rollback', subject: stack, data });
      await bus.publish([{ topic: topicOfEvent(event.type), key: stack, value: JSON.stringify(event) }]);
      await eventually(
        async () => expect((await sut.sql.query(`SELECT 1 FROM registry.inbox WHERE consumer_group LIKE '%registry-executions' AND event_id = $1`, [event.id])).rowCount).toBe(1),
        10_000,
        50,
      );
    };
  };

  beforeAll(async () => {
    bus = new InMemoryEventBus(1);
    sut = await startRegistryTestApp('registry-execution-version-map', bus);
    stack = aStackName('shop');
    [db, api, cfg] = [`${stack}-db`, `${stack}-api`, `${stack}-cfg`];
    await post('/v1/stacks', { name: stack, environments: [{ name: 'production' }] }).expect(201);
    await post('/v1/components', { name: db, stack, type: 'infra-config' }).expect(201);
    await post('/v1/components', { name: api, stack, type: 'app' }).expect(201);
    await post('/v1/components', { name: cfg, stack, type: 'infra-config' }).expect(201);
    for (const [component, versions] of [
      [db, ['1.0.0', '1.1.0']],
      [api, ['1.0.0', '2.0.0']],
      [cfg, ['1.0.0']],
    ] as const) {
      for (const version of versions) {
        await post(`/v1/components/${component}/versions`, component === api ? { version, spec: { artifact: `api:${version}`, port: 8080 } } : { version }).expect(201);
      }
    }
    groups.v1 = [
      { component: db, version: '1.0.0' },
      { component: api, version: '1.0.0' },
    ];
    groups.v2 = [
      { component: db, version: '1.1.0' },
      { component: api, version: '2.0.0' },
    ];
    groups.v3 = [...groups.v1, { component: cfg, version: '1.0.0' }];
    for (const [name, members] of Object.entries(groups)) {
      await post(`/v1/stacks/${stack}/version-groups`, { name, environment: 'production', members }).expect(201);
    }
    const first = execution('v1');
    await first('started');
    await first('step-succeeded', { component: db, fromVersion: null, toVersion: '1.0.0' });
    await first('step-succeeded', { component: api, fromVersion: null, toVersion: '1.0.0' });
    await first('succeeded');
  });

  afterAll(async () => {
    await sut?.close();
  });

  it('shows a finished deploy deployed', async () => {
    expect(await production()).toEqual({ [db]: '1.0.0 deployed', [api]: '1.0.0 deployed' });
    expect(await deployedGroups()).toEqual(['v1']);
  });

  it('puts back, when a deploy fails, the slots it claimed and did not reach, and keeps what it applied', async () => {
    const deploy = execution('v2');
    await deploy('started');
    expect(await production()).toEqual({ [db]: '1.1.0 deploying', [api]: '2.0.0 deploying' });
    await deploy('step-succeeded', { component: db, fromVersion: '1.0.0', toVersion: '1.1.0' });
    await deploy('failed');
    expect(await production()).toEqual({ [db]: '1.1.0 deployed', [api]: '1.0.0 deployed' });
    // v2 holds the database's slot: it is deployed there, in part.
    expect((await deployedGroups()).sort()).toEqual(['v1', 'v2']);
    await deploy('abandoned');
    expect(await production()).toEqual({ [db]: '1.1.0 deployed', [api]: '1.0.0 deployed' });
  });

  it('puts everything back, new slots removed and its group unlisted, when a deploy is abandoned before applying anything', async () => {
    const deploy = execution('v3');
    await deploy('started');
    expect(await production()).toEqual({ [db]: '1.0.0 deploying', [api]: '1.0.0 deploying', [cfg]: '1.0.0 deploying' });
    await deploy('failed');
    expect(await production()).toEqual({ [db]: '1.1.0 deployed', [api]: '1.0.0 deployed' });
    expect((await deployedGroups()).sort()).toEqual(['v1', 'v2']);
    const history = (await sut.http().get(`/v1/stacks/${stack}/environments/production/version-map/history`).expect(200)).body as { items?: { component: string; reason: string }[] } | { component: string; reason: string }[];
    const changes = Array.isArray(history) ? history : (history.items ?? []);
    expect(changes.some((change) => change.component === db && /deploy of v3 failed before applying/.test(change.reason))).toBe(true);
  });

  it('claims the slots again when a failed deploy is retried, and settles them when it succeeds', async () => {
    const deploy = execution('v3');
    await deploy('started');
    await deploy('failed');
    await deploy('retried');
    expect(await production()).toEqual({ [db]: '1.0.0 deploying', [api]: '1.0.0 deploying', [cfg]: '1.0.0 deploying' });
    await deploy('step-succeeded', { component: db, fromVersion: '1.1.0', toVersion: '1.0.0' });
    await deploy('step-succeeded', { component: cfg, fromVersion: null, toVersion: '1.0.0' });
    await deploy('succeeded');
    expect(await production()).toEqual({ [db]: '1.0.0 deployed', [api]: '1.0.0 deployed', [cfg]: '1.0.0 deployed' });
    expect(await deployedGroups()).toEqual(['v3']);
  });
});
