import { aStackName } from '@strata/testing';
import { RegistryTestApp, startRegistryTestApp } from './test-support/registry-test-app';

describe('registry components and versions API', () => {
  let sut: RegistryTestApp;
  /** Operator tokens of the people whose names the audit trail must show. */
  const tokens: Record<string, string> = {};
  let stack: string;

  beforeAll(async () => {
    sut = await startRegistryTestApp('registry-components');
    tokens.alice = await sut.tokenFor('alice');
    tokens.bob = await sut.tokenFor('bob');
    stack = aStackName('shop');
    await sut.http().post('/v1/stacks').send({ name: stack, environments: [{ name: 'production' }] }).expect(201);
  });

  afterAll(async () => {
    await sut?.close();
  });

  const component = (name: string, type: string) => sut.http().post('/v1/components').send({ name, stack, type });

  it('creates components of registered types and refuses unknown types', async () => {
    const created = await component(`${stack}-api`, 'app').expect(201);
    expect(created.body).toMatchObject({ name: `${stack}-api`, stack, type: 'app', target: {} });
    const refused = await component(`${stack}-x`, 'mainframe').expect(422);
    expect(refused.body.errors).toEqual([{ field: 'type', message: expect.stringContaining('app') }]);
    await component(`${stack}-api`, 'app').expect(409);
    await sut.http().post('/v1/components').send({ name: 'orphan', stack: 'no-such-stack', type: 'app' }).expect(404);
  });

  it('never stores a secret: a target holding a connection string is refused naming the field, a reference is kept', async () => {
    const refused = await sut.http().post('/v1/components').send({ name: `${stack}-orders-db`, stack, type: 'db-schema', target: { databaseUrl: 'postgres://app:hunter2@db:5432/shop' } }).expect(422);
    expect(refused.body.errors).toEqual([{ field: 'target.databaseUrl', message: expect.stringContaining('give it by reference as databaseUrlFrom: <VARIABLE>') }]);
    expect(JSON.stringify(refused.body)).not.toContain('hunter2');
    const kept = await sut.http().post('/v1/components').send({ name: `${stack}-orders-db`, stack, type: 'db-schema', target: { databaseUrlFrom: 'SHOP_DB_URL' } }).expect(201);
    expect(kept.body.target).toEqual({ databaseUrlFrom: 'SHOP_DB_URL' });
  });

  it('registers an immutable version: same content is a no-op, other content a 409', async () => {
    const name = `${stack}-web`;
    await component(name, 'app').expect(201);
    const body = {
      version: '1.0.0',
      config: { replicas: 2 },
      rollback: [{ routing: { restore: 'previous' } }],
      healthCheck: { url: 'http://{node}/healthz', expectStatus: 200, timeout: '1s', interval: '5s' },
      spec: { artifact: 'registry.example.com/web:1.0.0', port: 8080 },
    };
    const first = await sut.http().post(`/v1/components/${name}/versions`).set('authorization', `Bearer ${tokens.alice}`).send(body).expect(201);
    expect(first.body).toMatchObject({ component: name, version: '1.0.0', checksum: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), registeredBy: 'alice' });
    const again = await sut.http().post(`/v1/components/${name}/versions`).send(body).expect(200);
    expect(again.body.checksum).toBe(first.body.checksum);
    const changed = await sut.http().post(`/v1/components/${name}/versions`).send({ ...body, config: { replicas: 3 } }).expect(409);
    expect(changed.body.detail).toContain(`${name}@1.0.0 is already registered with different content`);
    const { rows } = await sut.sql.query(`SELECT count(*)::int AS count FROM registry.outbox WHERE event_type = 'io.strata.registry.component-version.registered.v1' AND event->'data'->>'component' = $1`, [name]);
    expect(rows[0].count).toBe(1);
    // Another build of 1.0.0 orders the same: it is refused, not kept beside it.
    const build = await sut.http().post(`/v1/components/${name}/versions`).send({ ...body, version: '1.0.0+build.6', spec: { ...body.spec, artifact: 'registry.example.com/web:1.0.0-b6' } }).expect(409);
    expect(build.body.detail).toContain(`${name}@1.0.0+build.6 orders the same as the registered 1.0.0: build metadata does not order versions`);
  });

  it('refuses a SQL health check on a component that names no database (target.databaseUrlFrom)', async () => {
    const name = `${stack}-sqlcheck`;
    await component(name, 'app').expect(201);
    const refused = await sut.http().post(`/v1/components/${name}/versions`).send({ version: '1.0.0', spec: { artifact: 'r.example/a:1', port: 8080 }, healthCheck: { sql: 'SELECT 1', timeout: '1s', interval: '5s' } }).expect(422);
    expect(refused.body.errors).toEqual([{ field: 'healthCheck.sql', message: expect.stringContaining(`component ${name} names none`) }]);
  });

  it('names every invalid field of a version', async () => {
    const name = `${stack}-svc`;
    await component(name, 'app').expect(201);
    const refused = await sut
      .http()
      .post(`/v1/components/${name}/versions`)
      .send({ version: 'v1', dependencies: [{ component: 'db', range: '>>1' }], rollback: [{ teleport: {} }], spec: { port: 'eighty' } })
      .expect(422);
    const fields = refused.body.errors.map((error: { field: string }) => error.field);
    expect(fields).toEqual(expect.arrayContaining(['version', 'dependencies[0].range', 'rollback[0].teleport']));
    expect(fields.some((field: string) => field.startsWith('spec.'))).toBe(true);
  });

  it('refuses a breaking db-schema migration without a major bump, and records an audited override', async () => {
    const name = `${stack}-db`;
    await component(name, 'db-schema').expect(201);
    const register = (version: string, up: string, extra: Record<string, unknown> = {}) =>
      sut.http().post(`/v1/components/${name}/versions`).set('authorization', `Bearer ${tokens.bob}`).send({ version, spec: { up, down: 'SELECT 1;' }, rollback: [{ sql: { from: 'down' } }], ...extra });
    await register('1.0.0', 'CREATE TABLE orders (id bigint PRIMARY KEY, note text);').expect(201);
    await register('1.1.0', 'ALTER TABLE orders ADD COLUMN coupon text;').expect(201);
    const refused = await register('1.2.0', 'ALTER TABLE orders DROP COLUMN note;\nCREATE INDEX orders_coupon ON orders (coupon);').expect(409);
    expect(refused.body.detail).toContain('release it as 2.0.0');
    expect(refused.body.errors).toEqual([
      { field: 'statement 1 (line 1)', message: expect.stringMatching(/\(drop-column\)$/) },
      { field: 'statement 2 (line 2)', message: expect.stringMatching(/\(index-without-concurrently\)$/) },
    ]);
    await register('2.0.0', 'ALTER TABLE orders DROP COLUMN note;').expect(201);
    const overridden = await register('2.1.0', 'ALTER TABLE orders ALTER COLUMN coupon TYPE varchar(32);', { breakingOverride: { reason: 'coupon codes never exceed 16 characters' } }).expect(201);
    expect(overridden.body.breakingOverride).toEqual({
      reason: 'coupon codes never exceed 16 characters',
      actor: 'bob',
      breaks: [expect.objectContaining({ kind: 'column-type-change' })],
    });
    const versions = await sut.http().get(`/v1/components/${name}/versions`).expect(200);
    expect(versions.body.map((version: { version: string }) => version.version)).toEqual(['2.1.0', '2.0.0', '1.1.0', '1.0.0']);
  });

  it('refuses a breaking api-contract change without a major bump', async () => {
    const name = `${stack}-payments`;
    await component(name, 'api-contract').expect(201);
    const openapi = (paths: Record<string, unknown>) => ({ openapi: '3.0.3', info: { title: 'payments', version: '1' }, paths });
    const register = (version: string, paths: Record<string, unknown>) =>
      sut.http().post(`/v1/components/${name}/versions`).send({ version, spec: { baseUrl: 'https://payments.example.com/v3', openapi: openapi(paths) } });
    await register('3.0.0', { '/charges': { post: { responses: { '201': { description: 'ok' } } } }, '/refunds': { post: { responses: { '201': { description: 'ok' } } } } }).expect(201);
    const refused = await register('3.1.0', { '/charges': { post: { responses: { '201': { description: 'ok' } } } } }).expect(409);
    expect(refused.body.errors).toEqual([{ field: '/refunds', message: 'path /refunds was removed (path-removed)' }]);
    await register('4.0.0', { '/charges': { post: { responses: { '201': { description: 'ok' } } } } }).expect(201);
  });

  it('keeps a contract given as a file reference, and asks for a major bump where it cannot diff', async () => {
    const name = `${stack}-partner`;
    await component(name, 'api-contract').expect(201);
    const inline = { openapi: '3.0.3', info: { title: 'partner', version: '1' }, paths: { '/quotes': { get: { responses: { '200': { description: 'ok' } } } } } };
    const register = (version: string, openapi: unknown) =>
      sut.http().post(`/v1/components/${name}/versions`).send({ version, spec: { baseUrl: 'https://partner.example.com', openapi } });
    await register('1.0.0', { $ref: './partner-openapi-1.0.0.yaml' }).expect(201);
    const refused = await register('1.1.0', inline).expect(409);
    expect(refused.body.errors).toEqual([{ field: 'spec.openapi', message: expect.stringMatching(/1\.0\.0 refers to '\.\/partner-openapi-1\.0\.0\.yaml'.*\(contract-unverifiable\)$/) }]);
    await register('2.0.0', inline).expect(201);
    await register('2.1.0', inline).expect(201);
    const badReference = await register('2.2.0', { $ref: '' }).expect(422);
    expect(badReference.body.errors).toEqual([{ field: 'spec.openapi.$ref', message: expect.stringContaining("must name the contract's file") }]);
  });

  it('refuses an oversize body with 413 problem+json', async () => {
    const refused = await sut
      .http()
      .post(`/v1/components/${stack}-api/versions`)
      .send({ version: '9.0.0', spec: { artifact: 'x'.repeat(6 * 1024 * 1024), port: 1 } })
      .expect(413);
    expect(refused.headers['content-type']).toMatch(/problem\+json/);
    expect(refused.body).toMatchObject({ status: 413, type: 'https://strata.dev/problems/body-too-large' });
  });

  it('lists components of a stack and 404s unknown ones', async () => {
    const page = await sut.http().get('/v1/components').query({ stack }).expect(200);
    expect(page.body.items.every((item: { stack: string }) => item.stack === stack)).toBe(true);
    await sut.http().get('/v1/components/nope').expect(404);
    await sut.http().get(`/v1/components/${stack}-db/versions/9.9.9`).expect(404);
  });
});
