import { aStackName } from '@strata/testing';
import { RegistryTestApp, startRegistryTestApp } from './test-support/registry-test-app';

describe('registry version groups, compatibility and version map API', () => {
  let sut: RegistryTestApp;
  /** Operator tokens of the people whose names the audit trail must show. */
  const tokens: Record<string, string> = {};
  let stack: string;
  let db: string;
  let api: string;

  const post = (path: string, body: object) => sut.http().post(path).set('authorization', `Bearer ${tokens.carol}`).send(body);

  async function registerDb(version: string): Promise<void> {
    await post(`/v1/components/${db}/versions`, { version, spec: { up: `CREATE TABLE IF NOT EXISTS t${version.replace(/\./g, '_')} (id int);` } }).expect(201);
  }

  async function registerApi(version: string, dbRange: string): Promise<void> {
    await post(`/v1/components/${api}/versions`, {
      version,
      dependencies: [{ component: db, range: dbRange }],
      spec: { artifact: `registry.example.com/api:${version}`, port: 8080 },
    }).expect(201);
  }

  beforeAll(async () => {
    sut = await startRegistryTestApp('registry-version-map');
    tokens.carol = await sut.tokenFor('carol');
    tokens.dave = await sut.tokenFor('dave');
    stack = aStackName('shop');
    db = `${stack}-db`;
    api = `${stack}-api`;
    await post('/v1/stacks', { name: stack, environments: [{ name: 'production' }, { name: 'staging', mirrors: 'production' }] }).expect(201);
    await post('/v1/components', { name: db, stack, type: 'db-schema' }).expect(201);
    await post('/v1/components', { name: api, stack, type: 'app' }).expect(201);
    await registerDb('14.0.0');
    await registerDb('14.1.0');
    await registerDb('15.0.0');
    await registerApi('2.3.0', '^14.0.0');
    await registerApi('2.4.0', '>=14.1.0 <15.0.0');
  });

  afterAll(async () => {
    await sut?.close();
  });

  it('creates a group whose members satisfy each other, then deploys it into the version map', async () => {
    const group = await post(`/v1/stacks/${stack}/version-groups`, {
      name: 'release-1',
      environment: 'production',
      members: [
        { component: api, version: '2.3.0' },
        { component: db, version: '14.0.0' },
      ],
    }).expect(201);
    expect(group.body).toMatchObject({ name: 'release-1', createdBy: 'carol', members: [{ component: api, version: '2.3.0' }, { component: db, version: '14.0.0' }] });

    const map = await post('/v1/environments/production/deployments', { stack, versionGroup: 'release-1', location: 'production' }).expect(201);
    expect(map.body.slots.map((slot: { component: string; version: string; status: string }) => [slot.component, slot.version, slot.status])).toEqual([
      [api, '2.3.0', 'deploying'],
      [db, '14.0.0', 'deploying'],
    ]);
  });

  it('refuses a group that breaks what stays deployed, explaining each conflict', async () => {
    // api 2.3.0 stays deployed and needs db ^14: db 15 alone cannot go.
    const refused = await post(`/v1/stacks/${stack}/version-groups`, { name: 'db-only', environment: 'production', members: [{ component: db, version: '15.0.0' }] }).expect(409);
    expect(refused.headers['content-type']).toMatch(/problem\+json/);
    expect(refused.body.errors).toEqual([{ field: expect.any(String), message: expect.stringContaining(`${api}@2.3.0`) }]);
    expect(refused.body.errors[0].message).toContain('^14.0.0');
    expect(refused.body.errors[0].message).toContain(`${db}@15.0.0`);
  });

  it('names members that are not registered', async () => {
    const refused = await post(`/v1/stacks/${stack}/version-groups`, { name: 'ghost', environment: 'production', members: [{ component: api, version: '9.9.9' }] }).expect(422);
    expect(refused.body.errors).toEqual([{ field: 'members[0]', message: `${api}@9.9.9 is not registered` }]);
  });

  it('answers can-I-deploy with no, unknown and yes', async () => {
    const ask = (members: { component: string; version: string }[]) => post('/v1/compatibility', { stack, environment: 'production', members }).expect(200);
    const no = await ask([{ component: db, version: '15.0.0' }]);
    expect(no.body.answer).toBe('no');
    expect(no.body.reasons[0]).toContain(`${api}@2.3.0`);

    const unknown = await ask([{ component: api, version: '2.4.0' }, { component: db, version: '14.1.0' }]);
    expect(unknown.body).toMatchObject({ answer: 'unknown', reasons: [] });
    expect(unknown.body.missing).toEqual(expect.arrayContaining([`health of ${api}@2.4.0 was never seen`]));

    // Deploy 2.4.0 + 14.1.0 to staging and see both healthy there: production can take them.
    await post(`/v1/stacks/${stack}/version-groups`, { name: 'release-2', environment: 'production', members: [{ component: api, version: '2.4.0' }, { component: db, version: '14.1.0' }] }).expect(201);
    await post('/v1/environments/staging/deployments', { stack, versionGroup: 'release-2', location: 'staging' }).expect(201);
    for (const component of [api, db]) {
      await sut.http().put(`/v1/stacks/${stack}/environments/staging/version-map/staging/${component}/status`).send({ status: 'healthy', reason: 'health check answered' }).expect(200);
    }
    const yes = await ask([{ component: api, version: '2.4.0' }, { component: db, version: '14.1.0' }]);
    expect(yes.body).toEqual({ answer: 'yes', reasons: [], missing: [], conflicts: [] });
  });

  it('keeps every version map change as history: who, when, from → to', async () => {
    await post('/v1/environments/production/deployments', { stack, versionGroup: 'release-2', location: 'production' }).expect(201);
    await sut.http().put(`/v1/stacks/${stack}/environments/production/version-map/production/${api}/status`).set('authorization', `Bearer ${tokens.dave}`).send({ status: 'degraded', reason: 'p99 above budget' }).expect(200);
    const history = await sut.http().get(`/v1/stacks/${stack}/environments/production/version-map/history`).expect(200);
    const apiChanges = history.body.filter((change: { component: string }) => change.component === api);
    expect(apiChanges.slice(0, 3)).toEqual([
      expect.objectContaining({ fromVersion: '2.4.0', toVersion: '2.4.0', fromStatus: 'deploying', toStatus: 'degraded', actor: 'dave', reason: 'p99 above budget' }),
      expect.objectContaining({ fromVersion: '2.3.0', toVersion: '2.4.0', fromStatus: 'deploying', toStatus: 'deploying', actor: 'carol', reason: 'deployment of release-2' }),
      expect.objectContaining({ fromVersion: null, toVersion: '2.3.0', toStatus: 'deploying' }),
    ]);
    const { rows } = await sut.sql.query(`SELECT count(*)::int AS count FROM registry.outbox WHERE event_type = 'io.strata.registry.version-map.changed.v1' AND message_key = $1 AND event->'data'->>'environment' = 'production'`, [stack]);
    expect(rows[0].count).toBe(history.body.length);
  });

  it('refuses a dependency cycle among members, naming it', async () => {
    const [a, b] = [`${stack}-a`, `${stack}-b`];
    await post('/v1/components', { name: a, stack, type: 'infra-config' }).expect(201);
    await post('/v1/components', { name: b, stack, type: 'infra-config' }).expect(201);
    await post(`/v1/components/${a}/versions`, { version: '1.0.0', dependencies: [{ component: b, range: '^1.0.0' }], spec: {} }).expect(201);
    await post(`/v1/components/${b}/versions`, { version: '1.0.0', dependencies: [{ component: a, range: '^1.0.0' }], spec: {} }).expect(201);
    const refused = await post(`/v1/stacks/${stack}/version-groups`, { name: 'loop', environment: 'production', members: [{ component: a, version: '1.0.0' }, { component: b, version: '1.0.0' }] }).expect(409);
    expect(refused.body.errors).toEqual([{ field: expect.any(String), message: `dependency cycle: ${a}@1.0.0 (member) → ${b}@1.0.0 (member) → ${a}@1.0.0 (member)` }]);
    const { rows } = await sut.sql.query(`SELECT count(*)::int AS count FROM registry.version_groups WHERE name = 'loop'`);
    expect(rows[0].count).toBe(0);
  });

  it('names missing fields of a group and a deployment', async () => {
    const group = await post(`/v1/stacks/${stack}/version-groups`, { environment: 'production' }).expect(400);
    expect(group.body.errors.map((error: { field: string }) => error.field)).toEqual(expect.arrayContaining(['name', 'members']));
    const deployment = await post('/v1/environments/production/deployments', { stack, versionGroup: 'release-1' }).expect(400);
    expect(deployment.body.errors.map((error: { field: string }) => error.field)).toEqual(['location']);
    await post('/v1/environments/production/deployments', { stack, versionGroup: 'nope', location: 'production' }).expect(404);
  });

  it('refuses an unknown location and a status outside the lifecycle', async () => {
    await sut.http().put(`/v1/stacks/${stack}/environments/production/version-map/moon/${api}/status`).send({ status: 'healthy', reason: 'x' }).expect(400);
    await sut.http().put(`/v1/stacks/${stack}/environments/production/version-map/production/${api}/status`).send({ status: 'great', reason: 'x' }).expect(400);
  });
});
