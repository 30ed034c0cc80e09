import { Topics } from '@strata/contracts';
import { RegistryModule, TokensService } from '@strata/registry';
import { RoutingControlModule } from '@strata/routing-control';
import { aStackName, eventually } from '@strata/testing';
import { ServiceTestApp, observedInMemoryBus, startServiceTestApp } from '@strata/testing/harness';
import { Client } from 'pg';

/**
 * A Rollout in a manifest, end to end through the registry and routing-control on one bus, as the
 * embedded mode runs them: the apply answers with what routing-control did with it.
 */
describe('Rollout manifests answered by routing-control', () => {
  let harness: ServiceTestApp;
  let sql: Client;
  const deadLetters: string[] = [];
  const stack = aStackName('manifest');
  const http = () => harness.http();
  const apply = (manifest: string, query: Record<string, unknown> = {}) =>
    http().post('/v1/apply').query(query).set('content-type', 'application/yaml').send(manifest);

  const rollout = (name: string, versionGroup: string, steps = '[{ setWeight: 10 }, { analysis: { window: 30s } }, { setWeight: 50 }]') => `
apiVersion: strata.dev/v1
kind: Rollout
metadata: { name: ${name}, stack: ${stack} }
spec:
  environment: production
  versionGroup: ${versionGroup}
  steps: ${steps}
`;

  const declarationEvents = async () =>
    Number((await sql.query(`SELECT count(*) FROM registry.outbox WHERE event_type = 'io.strata.registry.rollout.declared.v1'`)).rows[0].count);

  beforeAll(async () => {
    harness = await startServiceTestApp({
      label: 'manifest-rollouts',
      bus: () => observedInMemoryBus('dead-letter-observer', [Topics.deadLetters], (message) => deadLetters.push(`${message.headers['strata-dlq-reason'] ?? ''}`)),
      modules: (options) => [RegistryModule.register(options), RoutingControlModule.register(options, { tickMs: 0, resyncMs: 0 })],
      tokenLookup: (built) => built.get(TokensService, { strict: false }),
    });
    sql = harness.sql;

    // Two groups of the stack; only the stable one is deployed to production for now.
    const base = `
apiVersion: strata.dev/v1
kind: Stack
metadata: { name: ${stack} }
spec: { environments: [{ name: production }] }
---
apiVersion: strata.dev/v1
kind: Component
metadata: { name: ${stack}-api, stack: ${stack} }
spec: { type: app }
${['1.0.0', '1.1.0']
  .map(
    (version) => `---
apiVersion: strata.dev/v1
kind: ComponentVersion
metadata: { component: ${stack}-api, version: ${version} }
spec:
  spec: { artifact: 'registry.example/api:${version}', port: 8080 }
---
apiVersion: strata.dev/v1
kind: VersionGroup
metadata: { name: ${stack}-${version}, stack: ${stack} }
spec:
  members: { ${stack}-api: ${version} }
`,
  )
  .join('')}`;
    await apply(base).expect(200);
    await http().post('/v1/environments/production/deployments').send({ stack, versionGroup: `${stack}-1.0.0`, location: 'production' }).expect(201);
    await eventually(async () => {
      const { rows } = await sql.query('SELECT version_group FROM routing.group_deployments WHERE stack = $1', [stack]);
      expect(rows.map((row) => row.version_group)).toEqual([`${stack}-1.0.0`]);
    });
  }, 60_000);

  afterAll(async () => {
    await harness?.close();
  });

  it('refuses a Rollout whose version group is not deployed, with routing-control’s reason, and dead-letters nothing', async () => {
    const refused = await apply(rollout('not-deployed', `${stack}-1.1.0`)).expect(422);
    expect(refused.headers['content-type']).toMatch(/problem\+json/);
    expect(refused.body).toMatchObject({
      type: 'https://strata.dev/problems/rollout-refused',
      status: 422,
      detail: expect.stringContaining(`version group '${stack}-1.1.0' is not deployed to production`),
      errors: [{ field: 'documents[0] (Rollout not-deployed).spec.versionGroup', message: 'is not deployed to production' }],
      dryRun: false,
      changes: [
        {
          kind: 'Rollout',
          name: 'not-deployed',
          action: 'create',
          rollout: { status: 'refused', refusal: 'invalid', reason: `version group '${stack}-1.1.0' is not deployed to production`, violations: [{ field: 'spec.versionGroup', message: 'is not deployed to production' }] },
        },
      ],
    });
    expect(refused.body.detail).toContain("the manifest's other documents are applied");
    const { rows } = await sql.query('SELECT status, reason FROM registry.declared_rollouts WHERE name = $1', ['not-deployed']);
    expect(rows).toEqual([{ status: 'refused', reason: `version group '${stack}-1.1.0' is not deployed to production` }]);
    expect((await http().get('/v1/rollouts').query({ stack }).expect(200)).body).toEqual([]);
    expect(deadLetters).toEqual([]);
  });

  it('refuses a Rollout that breaks a rule of the spec before declaring it, dry run or not', async () => {
    const before = await declarationEvents();
    for (const dryRun of [true, false]) {
      const refused = await apply(rollout('bad-window', `${stack}-1.1.0`, '[{ setWeight: 10 }, { analysis: { window: later } }]'), { dryRun }).expect(422);
      expect(refused.body.errors).toEqual([{ field: 'documents[0] (Rollout bad-window).spec.steps[1].analysis.window', message: expect.stringContaining('later') }]);
    }
    expect(await declarationEvents()).toBe(before);
  });

  it('answers 409 when routing-control refuses for the state it found (no routing policy yet), and says the rest was applied', async () => {
    await http().post('/v1/environments/production/deployments').send({ stack, versionGroup: `${stack}-1.1.0`, location: 'production' }).expect(201);
    await eventually(async () => {
      const { rows } = await sql.query('SELECT count(*)::int AS count FROM routing.group_deployments WHERE stack = $1', [stack]);
      expect(rows[0].count).toBe(2);
    });
    const refused = await apply(rollout('canary', `${stack}-1.1.0`)).expect(409);
    expect(refused.body).toMatchObject({
      status: 409,
      errors: [{ field: 'documents[0] (Rollout canary)', message: `routing policy '${stack}/production' does not exist` }],
      changes: [{ name: 'canary', rollout: { status: 'refused', refusal: 'not-found' } }],
    });
    expect(deadLetters).toEqual([]);
  });

  it('starts a valid Rollout and answers with its id; the same manifest again is the same rollout', async () => {
    await http()
      .put(`/v1/stacks/${stack}/environments/production/routing-policy`)
      .send({
        component: `${stack}-api`,
        stableConfig: `${stack}-1.0.0`,
        stackConfigs: [
          { name: `${stack}-1.0.0`, weight: 100, nodes: [{ id: 'stable-1', url: 'http://127.0.0.1:9001', version: '1.0.0' }] },
          { name: `${stack}-1.1.0`, weight: 0, nodes: [{ id: 'canary-1', url: 'http://127.0.0.1:9002', version: '1.1.0' }] },
        ],
      })
      .expect(200);

    // The manifest refused before, unchanged: declared again, now that its cause is fixed.
    const started = await apply(rollout('canary', `${stack}-1.1.0`)).expect(200);
    const [change] = started.body.changes;
    expect(change).toMatchObject({ name: 'canary', action: 'unchanged', rollout: { status: 'started', rolloutId: expect.any(String), phase: 'progressing' } });
    const { rolloutId } = change.rollout;
    expect(change.detail).toBe(`started as rollout ${rolloutId} (progressing): GET /v1/rollouts/${rolloutId}`);
    const running = await http().get(`/v1/rollouts/${rolloutId}`).expect(200);
    expect(running.body).toMatchObject({ id: rolloutId, stack, name: 'canary', versionGroup: `${stack}-1.1.0` });

    const declarations = await declarationEvents();
    const again = await apply(rollout('canary', `${stack}-1.1.0`)).expect(200);
    expect(again.body.changes).toEqual([{ ...change, action: 'unchanged', detail: expect.stringContaining(rolloutId) }]);
    expect(await declarationEvents()).toBe(declarations);
    const { rows } = await sql.query('SELECT id FROM routing.rollouts WHERE stack = $1', [stack]);
    expect(rows).toEqual([{ id: rolloutId }]);
    expect(deadLetters).toEqual([]);
  });

  it('answers 409 for a second Rollout while one is active, without leaving a half-written rollout', async () => {
    // The database refuses it (one active rollout per stack and environment): the answer is still recorded.
    const refused = await apply(rollout('second-canary', `${stack}-1.1.0`)).expect(409);
    expect(refused.body.changes[0].rollout).toMatchObject({ status: 'refused', refusal: 'conflict', reason: expect.stringContaining('another rollout is active') });
    const { rows } = await sql.query('SELECT name FROM routing.rollouts WHERE stack = $1', [stack]);
    expect(rows).toEqual([{ name: 'canary' }]);
    expect(deadLetters).toEqual([]);
  });

  it('keeps the phase it reports current as the rollout moves', async () => {
    const { rolloutId } = (await apply(rollout('canary', `${stack}-1.1.0`)).expect(200)).body.changes[0].rollout;
    await http().post(`/v1/rollouts/${rolloutId}/pause`).expect(200);
    await eventually(async () => {
      const again = await apply(rollout('canary', `${stack}-1.1.0`)).expect(200);
      expect(again.body.changes[0].rollout).toEqual({ status: 'started', rolloutId, phase: 'paused' });
    });
  });
});
