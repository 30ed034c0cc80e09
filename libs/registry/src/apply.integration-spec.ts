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

  // No routing-control runs here, so nothing answers a Rollout: by default, do not wait for it.
  const apply = (manifest: string, dryRun = false, waitSeconds = 0) =>
    sut.http().post('/v1/apply').query({ dryRun, waitSeconds }).set('content-type', 'application/yaml').send(manifest);
  const rolloutOf = (body: { changes: { kind: string }[] }) => body.changes.find((change) => change.kind === 'Rollout');
  const count = async (table: string) => (await sut.sql.query(`SELECT count(*)::int AS count FROM registry.${table}`)).rows[0].count as number;

  it('returns the diff of a dry run and writes nothing', async () => {
    const result = await apply(exampleManifest(), true).expect(200);
    expect(result.body.dryRun).toBe(true);
    expect(result.body.changes).toHaveLength(13);
    expect(result.body.changes.every((change: { action: string }) => change.action === 'create')).toBe(true);
    expect(result.body.changes[0]).toEqual({ document: 'documents[0] (Stack checkout)', kind: 'Stack', name: 'checkout', action: 'create' });
    // Validated, but neither declared nor waited for.
    expect(rolloutOf(result.body)).toEqual({
      document: 'documents[12] (Rollout checkout-2026.11.3-canary)',
      kind: 'Rollout',
      name: 'checkout-2026.11.3-canary',
      action: 'create',
      detail: 'valid; applying declares it to routing-control, which starts or refuses it',
    });
    expect(await count('stacks')).toBe(0);
    expect(await count('outbox')).toBe(0);
  });

  it('applies the whole manifest, then finds nothing to change the second time', async () => {
    // 202: applied, but its Rollout has no answer from routing-control, which the answer says.
    const first = await apply(exampleManifest()).expect(202);
    expect(first.body.changes.map((change: { action: string }) => change.action)).toEqual(Array(13).fill('create'));
    expect(rolloutOf(first.body)).toMatchObject({ rollout: { status: 'pending' }, detail: expect.stringMatching(/^pending: routing-control has not answered/) });
    expect(await count('component_versions')).toBe(5);
    expect(await count('version_groups')).toBe(1);
    expect(await count('declared_rollouts')).toBe(1);

    const second = await apply(exampleManifest()).expect(202);
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

  it('reports a Rollout pending when routing-control has not answered within the wait, never as applied', async () => {
    const started = Date.now();
    const result = await apply(exampleManifest(), false, 1).expect(202);
    expect(Date.now() - started).toBeGreaterThanOrEqual(1_000);
    expect(rolloutOf(result.body)).toMatchObject({
      action: 'unchanged',
      rollout: { status: 'pending', reason: 'routing-control has not answered within 1 s' },
      detail: 'pending: routing-control has not answered within 1 s; apply the manifest again to see its answer, or GET /v1/rollouts?stack=checkout',
    });
    const { rows } = await sut.sql.query(`SELECT status, answered_at FROM registry.declared_rollouts`);
    expect(rows).toEqual([{ status: 'pending', answered_at: null }]);
  });

  it.each([true, false])('refuses a Rollout that breaks a rule before anything is applied (dry run: %s)', async (dryRun) => {
    const before = { outbox: await count('outbox'), declared: await count('declared_rollouts') };
    const withRollout = (rollout: { environment: string; versionGroup: string; window: string }) => `${exampleManifest()}
---
apiVersion: strata.dev/v1
kind: ComponentVersion
metadata: { component: checkout-api, version: 2.5.0 }
spec:
  spec: { artifact: 'registry.example/checkout-api:2.5.0', port: 8080 }
---
apiVersion: strata.dev/v1
kind: Rollout
metadata: { name: broken-canary, stack: checkout }
spec:
  environment: ${rollout.environment}
  versionGroup: ${rollout.versionGroup}
  steps:
    - setWeight: 5
    - analysis: { window: ${rollout.window} }
`;
    const refused = await apply(withRollout({ environment: 'production', versionGroup: 'checkout-2026.11.3', window: 'soon' }), dryRun).expect(422);
    expect(refused.headers['content-type']).toMatch(/problem\+json/);
    expect(refused.body.errors).toEqual([{ field: 'documents[14] (Rollout broken-canary).spec.steps[1].analysis.window', message: expect.stringContaining('soon') }]);
    expect(await count('outbox')).toBe(before.outbox);
    expect(await count('declared_rollouts')).toBe(before.declared);
    await sut.http().get('/v1/components/checkout-api/versions/2.5.0').expect(404);

    // What only the registry knows is checked as well: the stack's environments and version groups.
    const unknown = await apply(withRollout({ environment: 'moon', versionGroup: 'checkout-2099', window: '30s' }), dryRun).expect(422);
    expect(unknown.body.errors).toEqual([
      { field: 'documents[14] (Rollout broken-canary).spec.environment', message: 'is not an environment of stack checkout (it has production, staging)' },
      { field: 'documents[14] (Rollout broken-canary).spec.versionGroup', message: 'is not a version group of stack checkout' },
    ]);
    expect(await count('outbox')).toBe(before.outbox);
  });

  it('refuses an environment without a name added to an existing stack, naming the field (never a 500)', async () => {
    const stack = (environments: string) => `apiVersion: strata.dev/v1\nkind: Stack\nmetadata: { name: nameless-env }\nspec: { environments: ${environments} }\n`;
    await apply(stack('[{ name: production }]')).expect(200);
    const refused = await apply(stack('[{ name: production }, {}]')).expect(422);
    expect(refused.body.errors.length).toBeGreaterThan(0);
    expect(refused.body.errors).toEqual(refused.body.errors.map(() => expect.objectContaining({ field: expect.stringMatching(/environments\[1\]\.name$/) })));
  });

  it('refuses, as the API does, spec fields a kind does not have, naming each, and writes nothing', async () => {
    const before = await count('outbox');
    const manifest = `apiVersion: strata.dev/v1
kind: Stack
metadata: { name: typos }
spec:
  environments: [{ name: production, region: eu-west-1 }]
  owner: payments
---
apiVersion: strata.dev/v1
kind: Component
metadata: { name: typos-cfg, stack: typos }
spec: { type: infra-config, owner: payments }
---
apiVersion: strata.dev/v1
kind: ComponentVersion
metadata: { component: typos-cfg, version: 1.0.4 }
spec:
  version: 1.0.5
  dependecies: [{ component: typos-db, range: ^1.0.0 }]
  rolback: []
  healthcheck: { url: http://x/healthz }
---
apiVersion: strata.dev/v1
kind: VersionGroup
metadata: { name: typos-1, stack: typos }
spec: { member: { typos-cfg: 1.0.4 } }
`;
    const refused = await apply(manifest).expect(422);
    expect(refused.headers['content-type']).toMatch(/problem\+json/);
    // The first refused document stops the apply; each is shown alone below.
    expect(refused.body.errors).toEqual([
      { field: 'documents[0] (Stack typos).spec.owner', message: 'property owner should not exist' },
      { field: 'documents[0] (Stack typos).spec.environments[0].region', message: 'property region should not exist' },
    ]);
    const alone = async (index: number) => (await apply(manifest.split('---\n')[index] as string, true).expect(422)).body.errors as { field: string; message: string }[];
    expect(await alone(1)).toEqual([{ field: 'documents[0] (Component typos-cfg).spec.owner', message: 'property owner should not exist' }]);
    expect(await alone(2)).toEqual([
      { field: 'documents[0] (ComponentVersion typos-cfg@1.0.4).spec.version', message: 'belongs in metadata (metadata.version), not in spec' },
      { field: 'documents[0] (ComponentVersion typos-cfg@1.0.4).spec.dependecies', message: 'property dependecies should not exist' },
      { field: 'documents[0] (ComponentVersion typos-cfg@1.0.4).spec.rolback', message: 'property rolback should not exist' },
      { field: 'documents[0] (ComponentVersion typos-cfg@1.0.4).spec.healthcheck', message: 'property healthcheck should not exist' },
    ]);
    expect(await alone(3)).toEqual([{ field: 'documents[0] (VersionGroup typos-1).spec.member', message: 'is not a field of a VersionGroup spec (members, environment)' }]);
    const deployment = await apply('apiVersion: strata.dev/v1\nkind: Deployment\nmetadata: { stack: checkout }\nspec: { environment: production, versionGroup: checkout-2026.11.3, strategy: canary }\n', true).expect(422);
    expect(deployment.body.errors).toEqual([{ field: 'documents[0] (Deployment checkout).spec.strategy', message: 'is not a field of a Deployment spec (environment, versionGroup)' }]);
    // A refusal of what the metadata holds names the metadata, where the author wrote it.
    const badVersion = await apply('apiVersion: strata.dev/v1\nkind: ComponentVersion\nmetadata: { component: checkout-api, version: two-point-oh }\nspec: { spec: { artifact: registry.example/checkout-api:x, port: 8080 } }\n', true).expect(422);
    expect(badVersion.body.errors.map((error: { field: string }) => error.field)).toEqual(['documents[0] (ComponentVersion checkout-api@two-point-oh).metadata.version']);
    expect(await count('outbox')).toBe(before);
  });

  it('finds a Deployment unchanged only while the environment is at its group, settled, and then declares nothing', async () => {
    const documents = (version: string) => [
      `apiVersion: strata.dev/v1\nkind: ComponentVersion\nmetadata: { component: settled-api, version: ${version} }\nspec: { spec: { artifact: registry.example.com/settled-api:${version}, port: 8080 } }`,
      `apiVersion: strata.dev/v1\nkind: VersionGroup\nmetadata: { name: settled-${version}, stack: settled }\nspec: { members: [{ component: settled-api, version: ${version} }] }`,
    ];
    const head = ['apiVersion: strata.dev/v1\nkind: Stack\nmetadata: { name: settled }\nspec: { environments: [{ name: production }] }', 'apiVersion: strata.dev/v1\nkind: Component\nmetadata: { name: settled-api, stack: settled }\nspec: { type: app }'];
    const deployment = (version: string) => `apiVersion: strata.dev/v1\nkind: Deployment\nmetadata: { stack: settled }\nspec: { environment: production, versionGroup: settled-${version} }`;
    const manifest = [...head, ...documents('1.0.0'), ...documents('1.1.0'), deployment('1.0.0')].join('\n---\n');
    const deploymentChange = async (dryRun: boolean) => ((await apply(manifest, dryRun).expect((answer) => expect(answer.body).toMatchObject({ changes: expect.any(Array) }))).body.changes as { kind: string; action: string; detail?: string }[]).find((change) => change.kind === 'Deployment');
    const declared = () => count("outbox WHERE event_type = 'io.strata.registry.deployment.declared.v1'");
    const operator = await sut.tokenFor('olga');
    const record = (group: string) => sut.http().post('/v1/environments/production/deployments').set('authorization', `Bearer ${operator}`).send({ stack: 'settled', versionGroup: group, location: 'production' }).expect(201);
    const settle = () => sut.http().put('/v1/stacks/settled/environments/production/version-map/production/settled-api/status').set('authorization', `Bearer ${operator}`).send({ status: 'healthy', reason: 'checked' }).expect(200);

    expect(await deploymentChange(false)).toMatchObject({ action: 'create' });
    expect(await declared()).toBe(1);
    // Recorded by another tool but still deploying: not there yet.
    await record('settled-1.0.0');
    expect(await deploymentChange(true)).toMatchObject({ action: 'create' });
    await settle();
    expect(await deploymentChange(true)).toEqual(expect.objectContaining({ action: 'unchanged', detail: expect.stringContaining('production is at settled-1.0.0 already') }));
    expect(await deploymentChange(false)).toMatchObject({ action: 'unchanged' });
    expect(await declared()).toBe(1);
    // Another group took the environment: deploying the first one again is a change.
    await record('settled-1.1.0');
    await settle();
    expect(await deploymentChange(true)).toMatchObject({ action: 'create' });
  });

  it('refuses a VersionGroup whose lb-rule routes to a component the stack does not have, or to one that is no app', async () => {
    const manifest = (to: string) => [
      'apiVersion: strata.dev/v1\nkind: Stack\nmetadata: { name: routed }\nspec: { environments: [{ name: production }] }',
      'apiVersion: strata.dev/v1\nkind: Component\nmetadata: { name: routed-db, stack: routed }\nspec: { type: db-schema }',
      'apiVersion: strata.dev/v1\nkind: Component\nmetadata: { name: routed-lb, stack: routed }\nspec: { type: lb-rule }',
      `apiVersion: strata.dev/v1\nkind: ComponentVersion\nmetadata: { component: routed-lb, version: 1.0.0-${to} }\nspec: { spec: { routes: [{ match: { pathPrefix: / }, to: ${to} }] } }`,
      `apiVersion: strata.dev/v1\nkind: VersionGroup\nmetadata: { name: routed-${to}, stack: routed }\nspec: { members: { routed-lb: 1.0.0-${to} } }`,
    ].join('\n---\n');
    const ghost = await apply(manifest('ghost-app'), true).expect(422);
    expect(ghost.body.errors).toEqual([
      { field: 'documents[4] (VersionGroup routed-ghost-app).members[0]', message: "routed-lb@1.0.0-ghost-app spec.routes[0].to names 'ghost-app', which is not a component of stack routed" },
    ]);
    const database = await apply(manifest('routed-db'), true).expect(422);
    expect(database.body.errors).toEqual([
      { field: 'documents[4] (VersionGroup routed-routed-db).members[0]', message: "routed-lb@1.0.0-routed-db spec.routes[0].to names 'routed-db', a db-schema component: only app components take traffic" },
    ]);
  });

  it('says a Stack keeps the environments its manifest leaves out (apply removes none)', async () => {
    const stack = (environments: string) => `apiVersion: strata.dev/v1\nkind: Stack\nmetadata: { name: kept }\nspec: { environments: [${environments}] }\n`;
    await apply(stack('{ name: production }, { name: staging }')).expect(200);
    const narrower = await apply(stack('{ name: production }'), true).expect(200);
    expect(narrower.body.changes).toEqual([expect.objectContaining({ action: 'unchanged', detail: 'keeps staging, which this manifest does not list (apply does not remove environments)' })]);
    const other = await apply(stack('{ name: production }, { name: qa }'), true).expect(200);
    expect(other.body.changes).toEqual([expect.objectContaining({ action: 'update', detail: 'adds environments qa; keeps staging, which this manifest does not list (apply does not remove environments)' })]);
  });

  it('holds a Stack to the API\'s limits (at most 100 environments)', async () => {
    const environments = Array.from({ length: 101 }, (_, index) => `{ name: env-${index} }`).join(', ');
    const refused = await apply(`apiVersion: strata.dev/v1\nkind: Stack\nmetadata: { name: wide }\nspec: { environments: [${environments}] }\n`).expect(422);
    expect(refused.body.errors).toEqual([{ field: 'documents[0] (Stack wide).spec.environments', message: expect.stringContaining('100') }]);
  });

  it('refuses a wait longer than it allows', async () => {
    const refused = await apply(exampleManifest(), false, 31).expect(422);
    expect(refused.body.errors).toEqual([expect.objectContaining({ field: 'waitSeconds' })]);
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

  const apply = (manifest: string) => sut.http().post('/v1/apply').query({ waitSeconds: 0 }).set('content-type', 'application/yaml').send(manifest);

  it('applies it with its contract kept as a file reference, and changes nothing the second time', async () => {
    const manifest = readFileSync(join(__dirname, '../../../test/fixtures/manifests/checkout-stack.yaml'), 'utf8');
    // 202: its Rollout is declared, and no routing-control runs here to answer it.
    const first = await apply(manifest).expect(202);
    expect(first.body.changes.map((change: { action: string }) => change.action)).toEqual(Array(13).fill('create'));
    expect(first.body.changes.find((change: { name: string }) => change.name === 'payments-contract@3.2.0')).toMatchObject({
      detail: expect.stringContaining("a reference to './payments-openapi-3.2.0.yaml'"),
    });
    const second = await apply(manifest).expect(202);
    expect(second.body.changes.map((change: { action: string }) => change.action)).toEqual(Array(13).fill('unchanged'));
    const version = await sut.http().get('/v1/components/payments-contract/versions/3.2.0').expect(200);
    expect(version.body.spec.openapi).toEqual({ $ref: './payments-openapi-3.2.0.yaml' });
  });

  it('applies one manifest sent five times at once: one apply creates, the others see it unchanged, none is refused', async () => {
    const manifest = [
      'apiVersion: strata.dev/v1',
      'kind: Stack',
      'metadata: { name: concurrent }',
      'spec: { environments: [{ name: production }] }',
      '---',
      'apiVersion: strata.dev/v1',
      'kind: Component',
      'metadata: { name: concurrent-api, stack: concurrent }',
      'spec: { type: app }',
      '---',
      'apiVersion: strata.dev/v1',
      'kind: ComponentVersion',
      'metadata: { component: concurrent-api, version: 1.0.0 }',
      'spec: { spec: { artifact: registry.example.com/concurrent-api:1.0.0, port: 8080 } }',
    ].join('\n');
    const answers = await Promise.all(Array.from({ length: 5 }, () => apply(manifest)));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
    const actions = answers.map((answer) => (answer.body.changes as { action: string }[]).map((change) => change.action).join(','));
    expect(actions.sort()).toEqual(['create,create,create', 'unchanged,unchanged,unchanged', 'unchanged,unchanged,unchanged', 'unchanged,unchanged,unchanged', 'unchanged,unchanged,unchanged']);
  });
});
