import { aStackName } from '@strata/testing';
import { Client } from 'pg';
import { RegistryTestApp, startRegistryTestApp } from './test-support/registry-test-app';

describe('registry stacks API', () => {
  let harness: RegistryTestApp;
  let sql: Client;

  beforeAll(async () => {
    harness = await startRegistryTestApp('registry-stacks');
    sql = harness.sql;
  });

  afterAll(async () => {
    await harness?.close();
  });

  const http = () => harness.http();

  it('creates a stack and records its event in the same transaction', async () => {
    const name = aStackName('checkout');
    const created = await http()
      .post('/v1/stacks')
      .send({ name, environments: [{ name: 'production' }, { name: 'staging', mirrors: 'production' }] })
      .expect(201);
    expect(created.body).toEqual({
      id: expect.any(String),
      name,
      createdAt: expect.any(String),
      environments: [
        { name: 'production', mirrors: null, createdAt: expect.any(String) },
        { name: 'staging', mirrors: 'production', createdAt: expect.any(String) },
      ],
    });
    const { rows } = await sql.query(`SELECT event_type, message_key, event FROM registry.outbox WHERE message_key = $1`, [name]);
    expect(rows).toEqual([
      {
        event_type: 'io.strata.registry.stack.created.v1',
        message_key: name,
        event: expect.objectContaining({ subject: name, data: { stack: name, environments: [{ name: 'production' }, { name: 'staging', mirrors: 'production' }] } }),
      },
    ]);
  });

  it('answers 409 problem+json for an existing stack and writes no event', async () => {
    const name = aStackName();
    await http().post('/v1/stacks').send({ name, environments: [{ name: 'production' }] }).expect(201);
    const conflict = await http().post('/v1/stacks').send({ name, environments: [{ name: 'production' }] }).expect(409);
    expect(conflict.headers['content-type']).toMatch(/^application\/problem\+json/);
    expect(conflict.body).toMatchObject({ status: 409, detail: `stack '${name}' already exists`, correlationId: expect.any(String) });
    const { rows } = await sql.query(`SELECT count(*)::int AS count FROM registry.outbox WHERE message_key = $1`, [name]);
    expect(rows[0].count).toBe(1);
  });

  it('names every invalid field', async () => {
    const refused = await http().post('/v1/stacks').send({ name: 'Bad Name', environments: [{ name: 'staging', mirrors: 'production' }] }).expect(422);
    expect(refused.body.errors).toEqual([
      { field: 'name', message: expect.any(String) },
      { field: 'environments[0].mirrors', message: "names 'production', which is not an environment of this stack" },
    ]);
  });

  it('refuses unknown and mistyped fields with 400', async () => {
    const refused = await http().post('/v1/stacks').send({ name: 'x', environments: [{ name: 5 }], color: 'red' }).expect(400);
    const fields = new Set(refused.body.errors.map((error: { field: string }) => error.field));
    expect([...fields].sort()).toEqual(['color', 'environments[0].name']);
  });

  it('refuses a body that is not JSON with 400 problem+json', async () => {
    const refused = await http().post('/v1/stacks').set('content-type', 'application/json').send('{nope').expect(400);
    expect(refused.headers['content-type']).toMatch(/^application\/problem\+json/);
  });

  it('adds an environment, and refuses a duplicate', async () => {
    const name = aStackName();
    await http().post('/v1/stacks').send({ name, environments: [{ name: 'production' }] }).expect(201);
    const added = await http().post(`/v1/stacks/${name}/environments`).send({ name: 'canary', mirrors: 'production' }).expect(201);
    expect(added.body.environments.map((environment: { name: string }) => environment.name)).toEqual(['production', 'canary']);
    await http().post(`/v1/stacks/${name}/environments`).send({ name: 'canary' }).expect(409);
    await http().post(`/v1/stacks/no-such-stack/environments`).send({ name: 'canary' }).expect(404);
    const { rows } = await sql.query(`SELECT event_type FROM registry.outbox WHERE message_key = $1 ORDER BY seq`, [name]);
    expect(rows.map((row) => row.event_type)).toEqual(['io.strata.registry.stack.created.v1', 'io.strata.registry.environment.added.v1']);
  });

  it('pages stacks by name', async () => {
    const prefix = aStackName('page');
    for (const suffix of ['a', 'b', 'c']) {
      await http().post('/v1/stacks').send({ name: `${prefix}-${suffix}`, environments: [{ name: 'production' }] }).expect(201);
    }
    const first = await http().get('/v1/stacks').query({ limit: 2, after: `${prefix}` }).expect(200);
    expect(first.body.items.map((stack: { name: string }) => stack.name)).toEqual([`${prefix}-a`, `${prefix}-b`]);
    const second = await http().get('/v1/stacks').query({ limit: 2, after: first.body.nextCursor }).expect(200);
    expect(second.body.items[0].name).toBe(`${prefix}-c`);
    await http().get('/v1/stacks').query({ limit: 0 }).expect(422);
  });

  it('answers 404 problem+json for an unknown stack', async () => {
    const missing = await http().get('/v1/stacks/nope').expect(404);
    expect(missing.body).toMatchObject({ type: 'https://strata.dev/problems/not-found', status: 404 });
  });

  it('reports its database and bus on /health and serves its OpenAPI document', async () => {
    const health = await http().get('/health').expect(200);
    expect(health.body.services.registry.checks).toEqual({
      database: expect.objectContaining({ status: 'up' }),
      bus: expect.objectContaining({ status: 'up' }),
    });
    const spec = await http().get('/docs-json').expect(200);
    expect(Object.keys(spec.body.paths)).toEqual(expect.arrayContaining(['/v1/stacks', '/v1/stacks/{stack}', '/v1/stacks/{stack}/environments', '/health']));
    const metrics = await http().get('/metrics').expect(200);
    expect(metrics.text).toContain('strata_http_request_duration_seconds_bucket');
  });
});
