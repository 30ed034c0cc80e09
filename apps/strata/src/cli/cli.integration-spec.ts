import { INestApplication } from '@nestjs/common';
import { InMemoryEventBus } from '@strata/messaging';
import { HealthRegistry } from '@strata/observability';
import { TEST_ADMIN_TOKEN, TestDatabase, aStackName, createTestDatabase, eventually } from '@strata/testing';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { parse } from 'yaml';
import { createEmbeddedApi } from '../embedded';
import { runCaptured } from './captured-io';
import { ExitCode } from './errors';

const REPOSITORY = resolve(__dirname, '../../../..');

/**
 * The CLI against a real Strata: every service's module on one origin (as `npm start` serves
 * them) on a database of its own, listening on a port. The tests run in order, as a user would.
 */
describe('strata CLI against a running Strata', () => {
  let database: TestDatabase;
  let app: INestApplication;
  let api: string;
  let home: string;
  let manifests: string;
  const stack = aStackName('cli');
  const env = () => ({ STRATA_API: api, HOME: home });
  const strata = (argv: string[], options: { stdin?: string } = {}) => runCaptured(argv, env(), { ...options, cwd: home });
  const ok = async (argv: string[], options: { stdin?: string } = {}) => {
    const run = await strata(argv, options);
    expect({ argv, code: run.code, stderr: run.stderr }).toEqual({ argv, code: ExitCode.ok, stderr: expect.any(String) });
    return run.stdout;
  };
  const post = async (path: string, body: unknown, method = 'POST') => {
    const response = await fetch(`${api}${path}`, { method, headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    expect({ path, status: response.status }).toEqual({ path, status: expect.any(Number) });
    if (response.status >= 300) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
  };
  const rows = (table: string) => table.trim().split('\n').map((line) => line.split(/\s{2,}/));

  beforeAll(async () => {
    database = await createTestDatabase('strata-cli');
    app = await createEmbeddedApi({
      options: { database: { url: database.url, poolSize: 4 }, outbox: { pollIntervalMs: 100, retentionHours: 1 } },
      bus: new InMemoryEventBus(1),
      health: new HealthRegistry(),
      adminToken: TEST_ADMIN_TOKEN,
    });
    await app.listen(0, '127.0.0.1');
    api = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
    home = await mkdtemp(join(tmpdir(), 'strata-cli-home-'));
    manifests = join(home, 'manifests');
    const { mkdir } = await import('node:fs/promises');
    await mkdir(manifests);
    await writeFile(
      join(manifests, '1-stack.yaml'),
      `apiVersion: strata.dev/v1\nkind: Stack\nmetadata: { name: ${stack} }\nspec: { environments: [{ name: production }] }\n---\napiVersion: strata.dev/v1\nkind: Component\nmetadata: { name: ${stack}-api, stack: ${stack} }\nspec: { type: app }\n`,
    );
    await writeFile(
      join(manifests, '2-versions.yml'),
      ['1.0.0', '1.1.0']
        .map(
          (version) =>
            `---\napiVersion: strata.dev/v1\nkind: ComponentVersion\nmetadata: { component: ${stack}-api, version: ${version} }\nspec:\n  spec: { artifact: 'registry.example/api:${version}', port: 8080 }\n---\napiVersion: strata.dev/v1\nkind: VersionGroup\nmetadata: { name: ${stack}-${version}, stack: ${stack} }\nspec:\n  members: { ${stack}-api: ${version} }\n`,
        )
        .join(''),
    );
    await writeFile(join(manifests, 'notes.txt'), 'not a manifest: a directory apply skips it');
  }, 60_000);

  afterAll(async () => {
    await app?.close();
    await database?.drop();
    await rm(home, { recursive: true, force: true });
  });

  it('login refuses a token the API refuses and keeps one it accepts in ~/.config/strata/config.yaml', async () => {
    const refused = await strata(['login'], { stdin: 'strata_not-a-token-0123456789abcdefghijkl\n' });
    expect(refused.code).toBe(ExitCode.failed);
    expect(refused.stderr).toMatch(/^error: 401 Unauthorized: .+\n$/);
    const config = join(home, '.config/strata/config.yaml');
    await expect(readFile(config, 'utf8')).rejects.toThrow('ENOENT');

    const accepted = await strata(['login'], { stdin: `${TEST_ADMIN_TOKEN}\n` });
    expect(accepted).toEqual({ code: ExitCode.ok, stdout: '', stderr: `logged in to ${api}; saved to ${config}\n` });
    expect(await readFile(config, 'utf8')).toBe(`api: ${api}\ntoken: ${TEST_ADMIN_TOKEN}\n`);
  });

  it('diff shows what a directory of manifests would create, and writes nothing', async () => {
    const diff = await ok(['diff', '-f', manifests]);
    expect(diff.split('\n')).toEqual([
      `+ Stack ${stack}`,
      `+ Component ${stack}-api`,
      `+ ComponentVersion ${stack}-api@1.0.0`,
      `+ VersionGroup ${stack}-1.0.0: validated against production`,
      `+ ComponentVersion ${stack}-api@1.1.0`,
      `+ VersionGroup ${stack}-1.1.0: validated against production`,
      '',
    ]);
    expect((await strata(['get', 'stack', stack])).code).toBe(ExitCode.notFound);
  });

  it('apply -f applies the directory, and the same documents from stdin are then unchanged', async () => {
    expect(rows(await ok(['apply', '-f', manifests])).map((row) => row.slice(0, 3))).toEqual([
      ['KIND', 'NAME', 'ACTION'],
      ['Stack', stack, 'create'],
      ['Component', `${stack}-api`, 'create'],
      ['ComponentVersion', `${stack}-api@1.0.0`, 'create'],
      ['VersionGroup', `${stack}-1.0.0`, 'create'],
      ['ComponentVersion', `${stack}-api@1.1.0`, 'create'],
      ['VersionGroup', `${stack}-1.1.0`, 'create'],
    ]);
    const stdin = (await readFile(join(manifests, '1-stack.yaml'), 'utf8')) + (await readFile(join(manifests, '2-versions.yml'), 'utf8'));
    const again = JSON.parse(await ok(['apply', '-f', '-', '-o', 'json'], { stdin }));
    expect(again.changes.map((change: { action: string }) => change.action)).toEqual(Array(6).fill('unchanged'));
  });

  it('names the file and its own document when the API refuses one of several files', async () => {
    const bad = join(home, 'bad.yaml');
    await writeFile(bad, `apiVersion: strata.dev/v1\nkind: Component\nmetadata: { name: ${stack}-extra, stack: ${stack} }\nspec: { type: app }\n---\napiVersion: strata.dev/v1\nkind: Component\nmetadata: { name: ${stack}-odd, stack: ${stack} }\nspec: { type: mainframe }\n`);
    const refused = await strata(['apply', '-f', manifests, '-f', bad]);
    expect(refused.code).not.toBe(ExitCode.ok);
    // The API counts the joined stream: the bad document is its documents[7], the second of bad.yaml.
    expect(refused.stderr).toContain(`bad.yaml document 2 (Component ${stack}-odd)`);
    expect(refused.stderr).not.toContain('documents[');
  });

  it('get lists and shows the registry kinds, as tables, JSON and YAML', async () => {
    expect(rows(await ok(['get', 'stacks'])).find((row) => row[0] === stack)).toEqual([stack, 'production', expect.stringMatching(/Z$/)]);
    expect(JSON.parse(await ok(['get', 'stack', stack, '-o', 'json']))).toMatchObject({ name: stack, environments: [{ name: 'production' }] });
    expect(rows(await ok(['get', 'components', '--stack', stack]))).toEqual([
      ['NAME', 'STACK', 'TYPE', 'CREATED'],
      [`${stack}-api`, stack, 'app', expect.any(String)],
    ]);
    expect(rows(await ok(['get', 'versions', '--component', `${stack}-api`])).map((row) => row[1]).sort()).toEqual(['1.0.0', '1.1.0', 'VERSION']);
    expect(parse(await ok(['get', 'version', `${stack}-api@1.1.0`, '-o', 'yaml']))).toMatchObject({ component: `${stack}-api`, version: '1.1.0', spec: { artifact: 'registry.example/api:1.1.0', port: 8080 } });
    expect(rows(await ok(['get', 'groups', '--stack', stack])).map((row) => `${row[0]} ${row[3]}`).sort()).toEqual(['NAME MEMBERS', `${stack}-1.0.0 ${stack}-api@1.0.0`, `${stack}-1.1.0 ${stack}-api@1.1.0`]);
  });

  it('shows the version map and the routing policy once they exist, and describe adds their history and status', async () => {
    for (const version of ['1.0.0', '1.1.0']) {
      await post('/v1/environments/production/deployments', { stack, versionGroup: `${stack}-${version}`, location: 'production' });
    }
    expect(rows(await ok(['get', 'version-map', '--stack', stack, '-e', 'production'])).map((row) => row.slice(0, 4))).toEqual([
      ['LOCATION', 'COMPONENT', 'TYPE', 'VERSION'],
      ['production', `${stack}-api`, 'app', '1.1.0'],
    ]);
    expect(await ok(['describe', 'version-map', '--stack', stack, '-e', 'production'])).toMatch(/\nhistory:\nLOCATION +COMPONENT +FROM-VERSION +TO-VERSION/);
    await eventually(async () =>
      post(`/v1/stacks/${stack}/environments/production/routing-policy`, {
        component: `${stack}-api`,
        stableConfig: `${stack}-1.0.0`,
        stackConfigs: [
          { name: `${stack}-1.0.0`, weight: 100, nodes: [{ id: 'a', url: 'http://127.0.0.1:9' }] },
          { name: `${stack}-1.1.0`, weight: 0, nodes: [{ id: 'b', url: 'http://127.0.0.1:10' }] },
        ],
      }, 'PUT'),
    );
    expect(rows(await ok(['get', 'policies', '--stack', stack, '-e', 'production'])).map((row) => row.slice(0, 3))).toEqual([
      ['VERSION', 'STABLE', 'WEIGHTS'],
      ['1', `${stack}-1.0.0`, `${stack}-1.0.0=100,${stack}-1.1.0=0`],
    ]);
    const described = parse(await ok(['describe', 'policy', '--stack', stack, '-e', 'production', '-o', 'yaml']));
    expect(described).toMatchObject({ stack, environment: 'production', version: 1, status: { stack, environment: 'production', version: 1 } });
    const missing = await strata(['get', 'policies', '--stack', stack]);
    expect(missing).toEqual({ code: ExitCode.usage, stdout: '', stderr: 'error: policies needs --environment\n' });
  });

  it('lists the kinds that are still empty without failing, and says so on stderr', async () => {
    for (const kind of ['traffic-rules', 'rollback-triggers', 'trigger-firings', 'anomalies', 'forecasts', 'proposals', 'series', 'query-sources', 'postgres-targets']) {
      const run = await strata(['get', kind, '--stack', stack, '-e', 'production']);
      expect({ kind, ...run }).toEqual({ kind, code: ExitCode.ok, stdout: '', stderr: `No ${kind} found.\n` });
    }
  });

  it('lists and describes rollback triggers with their firings', async () => {
    await post(`/v1/stacks/${stack}/environments/production/rollback-triggers/unhealthy`, { when: 'health == failing', action: 'rollback', dryRun: true }, 'PUT');
    const table = await ok(['get', 'rollback-triggers', '--stack', stack, '-e', 'production']);
    expect(table.split('\n')[0]).toMatch(/^NAME\s+WHEN\s+ACTION\s+DRY-RUN\s+SOURCE\s+LAST-FIRED$/);
    expect(table.split('\n')[1]).toMatch(/^unhealthy\s+health == failing\s+rollback\s+true\s+api\s+/);
    expect(JSON.parse(await ok(['describe', 'trigger', 'unhealthy', '--stack', stack, '-e', 'production', '-o', 'json']))).toMatchObject({ name: 'unhealthy', spec: { when: 'health == failing' }, firings: [] });
  });

  it('finds tokens and audit entries, kinds without an item route, in their lists', async () => {
    const issued = (await (await fetch(`${api}/v1/tokens`, { method: 'POST', headers: { authorization: `Bearer ${TEST_ADMIN_TOKEN}`, 'content-type': 'application/json' }, body: JSON.stringify({ principal: `${stack}-ci`, role: 'viewer' }) })).json()) as { id: string };
    expect(rows(await ok(['get', 'tokens', '--all'])).map((row) => row.slice(0, 3))).toContainEqual([issued.id, `${stack}-ci`, 'viewer']);
    expect(JSON.parse(await ok(['get', 'token', `${stack}-ci`, '-o', 'json']))).toMatchObject({ id: issued.id, principal: `${stack}-ci`, role: 'viewer' });
    expect((await strata(['get', 'token', 'nobody-has-this'])).code).toBe(ExitCode.notFound);
    const audit = rows(await ok(['get', 'audit', '--filter', `target=/v1/stacks/${stack}`, '--limit', '5']));
    expect(audit[0]).toEqual(['AT', 'SERVICE', 'PRINCIPAL', 'ROLE', 'ACTION', 'TARGET', 'STATUS']);
    expect(audit.slice(1).map((row) => row[4])).toContain('PUT /v1/stacks/:stack/environments/:environment/routing-policy');
  });

  it('rollout create, then watch redraws it until an operator promotes it past its pause (exit 0)', async () => {
    const created = JSON.parse(await ok(['rollout', 'create', '--stack', stack, '--name', `${stack}-canary`, '-e', 'production', '--version-group', `${stack}-1.1.0`, '--step', '20', '--step', 'pause', '--step', '100', '-o', 'json']));
    expect(created).toMatchObject({ stack, environment: 'production', versionGroup: `${stack}-1.1.0`, steps: ['setWeight 20', 'pause until promoted', 'setWeight 100'] });
    const watching = strata(['rollout', 'watch', created.id, '--interval', '200']);
    await eventually(async () => expect(JSON.parse(await ok(['rollout', 'get', created.id, '-o', 'json'])).phase).toBe('paused'));
    expect(rows(await ok(['rollout', 'promote', created.id]))[1]?.slice(0, 2)).toEqual([created.id, `${stack}-canary`]);
    const watched = await watching;
    expect(watched.code).toBe(ExitCode.ok);
    expect(watched.stdout).toContain('phase paused, step 2/3, canary weight 20% [####................]');
    expect(watched.stdout).toContain('phase promoted, step 3/3, canary weight 100% [####################]: every step completed');
    expect(watched.stderr).toBe(`rollout ${created.id} promoted: every step completed\n`);
    expect(await ok(['describe', 'rollout', created.id])).toMatch(/\ntransitions:\nFROM +TO +STEP-INDEX[^]*progressing +promoted[^]*\nverdicts:\n\[\]/);
    // No analysis step: no verdicts, and the transitions keep no judgedMetrics column.
    const described = JSON.parse(await ok(['describe', 'rollout', created.id, '-o', 'json'])) as { verdicts: unknown[]; transitions: object[] };
    expect(described.verdicts).toEqual([]);
    expect(described.transitions.length).toBeGreaterThan(2);
    expect(described.transitions.filter((transition) => 'judgedMetrics' in transition)).toEqual([]);
    expect(await ok(['rollout', 'get', created.id])).not.toContain('latest analysis');
  });

  it('refuses a second active rollout (exit 4), a step out of range naming its field (exit 1) and a step it cannot read (exit 2); abort ends a watch with exit 1', async () => {
    const base = ['rollout', 'create', '--stack', stack, '-e', 'production', '--version-group', `${stack}-1.0.0`];
    const second = JSON.parse(await ok([...base, '--name', `${stack}-back`, '--step', 'pause', '-o', 'json']));
    const conflict = await strata([...base, '--name', `${stack}-third`, '--step', '10']);
    expect(conflict.code).toBe(ExitCode.conflict);
    expect(conflict.stderr).toMatch(/^error: 409 Conflict: .*another rollout is active.*\n$/);
    const invalid = await strata([...base, '--name', `${stack}-bad`, '--step', '150']);
    expect(invalid.code).toBe(ExitCode.failed);
    expect(invalid.stderr).toMatch(/^error: 422 Unprocessable Content: .*spec\.steps\[0\]\.setWeight: must be a percentage from 0 to 100, got number 150 \(correlation id [0-9a-f-]+\)\n$/);
    expect(await strata([...base, '--name', `${stack}-bad`, '--step', 'soon'])).toMatchObject({ code: ExitCode.usage, stderr: expect.stringContaining("--step 'soon': expected a weight (20)") });

    const watching = strata(['rollout', 'watch', second.id, '--interval', '200']);
    await ok(['rollout', 'abort', second.id, '--reason', 'checked by the CLI test']);
    const watched = await watching;
    expect(watched.code).toBe(ExitCode.failed);
    expect(watched.stderr).toMatch(new RegExp(`^error: rollout ${second.id} rolled-back: aborted by [^:]+: checked by the CLI test; `));
  });

  it('runs as a program: the package bin and npx strata end with the exit codes', async () => {
    const bin = join(REPOSITORY, 'apps/strata/bin/strata.js');
    const childEnv = { ...process.env, STRATA_API: api, STRATA_TOKEN: TEST_ADMIN_TOKEN, HOME: home };
    const { stdout } = await promisify(execFile)('npx', ['strata', 'get', 'stack', stack, '-o', 'json'], { cwd: REPOSITORY, env: childEnv });
    expect(JSON.parse(stdout)).toMatchObject({ name: stack });
    const missing = await promisify(execFile)(bin, ['get', 'stack', `${stack}-missing`], { cwd: tmpdir(), env: childEnv }).catch((error: { code: number; stderr: string }) => error);
    expect(missing).toMatchObject({ code: ExitCode.notFound, stderr: expect.stringContaining(`404 Not Found: stack '${stack}-missing' does not exist`) });
  });
});
