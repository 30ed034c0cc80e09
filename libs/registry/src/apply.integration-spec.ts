import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RegistryTestApp, startRegistryTestApp } from './test-support/registry-test-app';

/** The repository's example with its OpenAPI document inlined (the as-written example is applied below). */
function exampleManifest(): string {
  return readFileSync(join(__dirname, '../../../test/fixtures/manifests/checkout-stack-inline.yaml'), 'utf8');
}

describe('POST /v1/apply', () => {
  let sut: RegistryTestApp;

  beforeAll(async () => {
    sut = await startRegistryTestApp('registry-apply');
  });

  afterAll(async () => {
    await sut?.close();
  });

  const apply = (manifest: string, dryRun = false) =>
    sut.http().post('/v1/apply').query({ dryRun }).set('content-type', 'application/yaml').set('x-strata-actor', 'erin').send(manifest);
  const count = async (table: string) => (await sut.sql.query(`SELECT count(*)::int AS count FROM registry.${table}`)).rows[0].count as number;

  it('returns the diff of a dry run and writes nothing', async () => {
    const result = await apply(exampleManifest(), true).expect(200);
    expect(result.body.dryRun).toBe(true);
    expect(result.body.changes).toHaveLength(13);
    expect(result.body.changes.every((change: { action: string }) => change.action === 'create')).toBe(true);
    expect(result.body.changes[0]).toEqual({ document: 'documents[0] (Stack checkout)', kind: 'Stack', name: 'checkout', action: 'create' });
    expect(await count('stacks')).toBe(0);
    expect(await count('outbox')).toBe(0);
  });

  it('applies the whole manifest, then finds nothing to change the second time', async () => {
    const first = await apply(exampleManifest()).expect(200);
    expect(first.body.changes.map((change: { action: string }) => change.action)).toEqual(Array(13).fill('create'));
    expect(await count('component_versions')).toBe(5);
    expect(await count('version_groups')).toBe(1);
    expect(await count('declared_rollouts')).toBe(1);

    const second = await apply(exampleManifest()).expect(200);
    expect(second.body.changes.map((change: { action: string }) => change.action)).toEqual(Array(13).fill('unchanged'));
    const group = await sut.http().get('/v1/stacks/checkout/version-groups/checkout-2026.11.3').expect(200);
    expect(group.body.members).toHaveLength(5);
  });

  it('refuses a manifest whole, naming the document, the field and the rule', async () => {
    const before = await count('outbox');
    const broken = `${exampleManifest()}
---
apiVersion: strata.dev/v1
kind: Component
metadata: { name: orders-db, stack: checkout }
spec: { type: db-schema }
---
apiVersion: strata.dev/v1
kind: ComponentVersion
metadata: { component: orders-db, version: 1.0.0 }
spec:
  spec: { up: 'CREATE TABLE orders (id int);' }
  rollback:
    - sql: { from: down }
`;
    const refused = await apply(broken).expect(422);
    expect(refused.headers['content-type']).toMatch(/problem\+json/);
    expect(refused.body.errors).toEqual([{ field: 'documents[14] (ComponentVersion orders-db@1.0.0).spec.rollback[0].sql.from', message: expect.stringContaining('spec.down') }]);
    expect(await count('outbox')).toBe(before);
    await sut.http().get('/v1/components/orders-db').expect(404);
  });

  it('refuses YAML that does not parse, and an empty body', async () => {
    const refused = await apply('apiVersion: strata.dev/v1\nkind: Stack\nmetadata: { name: [oops\n').expect(422);
    expect(refused.body.errors[0]).toEqual({ field: 'documents[0]', message: expect.stringMatching(/^invalid YAML/) });
    await sut.http().post('/v1/apply').set('content-type', 'application/json').send({}).expect(422);
  });
});

describe('POST /v1/apply of the example manifest as written', () => {
  let sut: RegistryTestApp;

  beforeAll(async () => {
    sut = await startRegistryTestApp('registry-apply-reference');
  });

  afterAll(async () => {
    await sut?.close();
  });

  const apply = (manifest: string) => sut.http().post('/v1/apply').set('content-type', 'application/yaml').send(manifest);

  it('applies it with its contract kept as a file reference, and changes nothing the second time', async () => {
    const manifest = readFileSync(join(__dirname, '../../../test/fixtures/manifests/checkout-stack.yaml'), 'utf8');
    const first = await apply(manifest).expect(200);
    expect(first.body.changes.map((change: { action: string }) => change.action)).toEqual(Array(13).fill('create'));
    expect(first.body.changes.find((change: { name: string }) => change.name === 'payments-contract@3.2.0')).toMatchObject({
      detail: expect.stringContaining("a reference to './payments-openapi-3.2.0.yaml'"),
    });
    const second = await apply(manifest).expect(200);
    expect(second.body.changes.map((change: { action: string }) => change.action)).toEqual(Array(13).fill('unchanged'));
    const version = await sut.http().get('/v1/components/payments-contract/versions/3.2.0').expect(200);
    expect(version.body.spec.openapi).toEqual({ $ref: './payments-openapi-3.2.0.yaml' });
  });
});
