import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { aStackName } from '@strata/testing';
import { RegistryTestApp, startRegistryTestApp } from './test-support/registry-test-app';

const ERRORS = 'error_rate(canary) > 2 * error_rate(stable) and error_rate(canary) > 0.01';

/** `RollbackTrigger` documents through POST /v1/apply: checked like the rollback service's API, declared to it by an event. */
describe('POST /v1/apply of RollbackTrigger documents', () => {
  let sut: RegistryTestApp;
  let stack: string;

  beforeAll(async () => {
    sut = await startRegistryTestApp('registry-rollback-trigger-manifests');
  });

  beforeEach(() => {
    stack = aStackName('rtm');
  });

  afterAll(async () => {
    await sut?.close();
  });

  const apply = (manifest: string, dryRun = false) => sut.http().post('/v1/apply').query({ dryRun, waitSeconds: 0 }).set('content-type', 'application/yaml').send(manifest);
  const stackDocument = () => `apiVersion: strata.dev/v1\nkind: Stack\nmetadata: { name: ${stack} }\nspec: { environments: [{ name: production }, { name: staging }] }\n`;
  const trigger = (spec: string, environment = 'production') => `---\napiVersion: strata.dev/v1\nkind: RollbackTrigger\nmetadata: { name: canary-errors, stack: ${stack}, environment: ${environment} }\nspec:\n${spec}`;
  const declared = async () =>
    (await sut.sql.query(`SELECT event->'data' AS data FROM registry.outbox WHERE event_type = 'io.strata.registry.rollback-trigger.declared.v1' AND message_key = $1 ORDER BY seq`, [stack])).rows.map((row) => row.data);
  const stacks = async () => (await sut.sql.query('SELECT count(*)::int AS count FROM registry.stacks WHERE name = $1', [stack])).rows[0].count as number;
  const goodSpec = `  when: "${ERRORS}"\n  window: 3s\n  minRequests: 20\n  scope: { versionGroup: shop-2 }\n  action: rollback\n  coolDown: 10m\n`;

  it('declares a valid trigger to the rollback service, with the stack it is in, each time it is applied', async () => {
    const manifest = `${stackDocument()}${trigger(goodSpec)}`;
    const dryRun = await apply(manifest, true).expect(200);
    expect(dryRun.body.changes[1]).toEqual({
      document: 'documents[1] (RollbackTrigger canary-errors)',
      kind: 'RollbackTrigger',
      name: 'canary-errors',
      action: 'create',
      detail: 'valid; applying declares it to the rollback service, which creates or replaces it',
    });
    expect(await declared()).toEqual([]);

    const applied = await apply(manifest).expect(200);
    expect(applied.body.changes[1]).toMatchObject({ kind: 'RollbackTrigger', name: 'canary-errors', detail: expect.stringContaining(`GET /v1/stacks/${stack}/environments/production/rollback-triggers/canary-errors`) });
    const spec = { when: ERRORS, window: '3s', minRequests: 20, scope: { versionGroup: 'shop-2' }, action: 'rollback', coolDown: '10m' };
    expect(await declared()).toEqual([{ stack, environment: 'production', name: 'canary-errors', spec, actor: 'admin' }]);
    // The registry keeps no copy of triggers: the same document is declared again, and the rollback service finds it unchanged.
    await apply(manifest).expect(200);
    expect(await declared()).toHaveLength(2);
  });

  it('applies the example triggers beside the example stack', async () => {
    const example = (file: string) => readFileSync(join(__dirname, '../../../test/fixtures/manifests', file), 'utf8');
    stack = 'checkout';
    // 202: the stack's Rollout is declared, and no routing-control runs here to answer it.
    await apply(example('checkout-stack.yaml')).expect(202);
    const applied = await apply(example('checkout-rollback-triggers.yaml')).expect(200);
    expect(applied.body.changes.map((change: { name: string }) => change.name)).toEqual(['canary-errors', 'no-healthy-node', 'anomalies']);
    expect((await declared()).map((data: { name: string; environment: string }) => `${data.environment}/${data.name}`)).toEqual(['production/canary-errors', 'production/no-healthy-node', 'production/anomalies']);
  });

  it.each([true, false])('refuses a bad trigger whole, naming each field from the document (dry run: %s)', async (dryRun) => {
    const refused = await apply(`${stackDocument()}${trigger('  when: cpu > 1\n  action: delete\n  window: soon\n')}`, dryRun).expect(422);
    expect(refused.headers['content-type']).toMatch(/problem\+json/);
    const at = 'documents[1] (RollbackTrigger canary-errors)';
    expect(refused.body.errors).toEqual([
      { field: `${at}.spec.when`, message: expect.stringContaining('cpu > 1') },
      { field: `${at}.spec.window`, message: expect.stringContaining('soon') },
      { field: `${at}.spec.action`, message: expect.stringContaining('delete') },
    ]);
    // All or nothing: the stack of the same manifest is not created either.
    expect(await stacks()).toBe(0);
    expect(await declared()).toEqual([]);
  });

  it('refuses a trigger of an environment or a stack that does not exist', async () => {
    await apply(stackDocument()).expect(200);
    const unknownEnvironment = await apply(trigger('  when: gateway == nack\n  action: abort\n', 'moon')).expect(422);
    expect(unknownEnvironment.body.errors).toEqual([
      { field: 'documents[0] (RollbackTrigger canary-errors).metadata.environment', message: `is not an environment of stack ${stack} (it has production, staging)` },
    ]);
    // A trigger with fields only a KPI condition takes is refused the same way the API refuses it.
    const kpiOnly = await apply(trigger('  when: health == failing\n  for: 5s\n  action: abort\n')).expect(422);
    expect(kpiOnly.body.errors).toEqual([{ field: 'documents[0] (RollbackTrigger canary-errors).spec.for', message: 'applies only to a KPI condition, not to "health == failing"' }]);
    const badName = await apply(trigger('  when: gateway == nack\n  action: abort\n').replace('name: canary-errors', 'name: Canary_Errors')).expect(422);
    expect(badName.body.errors).toEqual([{ field: 'documents[0] (RollbackTrigger Canary_Errors).metadata.name', message: expect.stringContaining('lowercase letters, digits and hyphens') }]);
    stack = aStackName('rtm-none');
    const unknownStack = await apply(trigger('  when: gateway == nack\n  action: abort\n')).expect(404);
    expect(unknownStack.headers['content-type']).toMatch(/problem\+json/);
    expect(await declared()).toEqual([]);
  });
});
