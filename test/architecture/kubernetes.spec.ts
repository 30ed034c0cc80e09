import { CONSOLE_UPSTREAMS, DEFAULT_SERVICE_PORTS, Environment, readConsoleConfig, readServiceConfig } from '@strata/config';
import { readGatewayConfig } from '@strata/gateway';
import { readMetricsIngestSettings } from '@strata/metrics-ingest';
import { readPredictiveStagingSettings } from '@strata/predictive-staging';
import { readRoutingControlTuning } from '@strata/routing-control';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';

const root = join(__dirname, '..', '..');
const OVERLAY = 'deploy/kubernetes/overlays/example';

type Manifest = { kind: string; metadata: { name: string }; spec?: Record<string, unknown>; data?: Record<string, string> };
interface Container {
  image: string;
  command?: string[];
  env?: { name: string; value?: string }[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  ports?: { name: string; containerPort: number }[];
  readinessProbe?: { httpGet?: { path: string; port: string } };
}
interface Deployment extends Manifest {
  spec: { replicas: number; selector: { matchLabels: Record<string, string> }; template: { metadata: { labels: Record<string, string> }; spec: { containers: Container[] } } };
}

/**
 * What each app's main.ts reads from its environment, by the same functions (apps/<app>/src/main.ts
 * and libs/runtime runService): the variables a manifest sets must be among those they read.
 */
const READERS: Record<string, (env: Environment) => unknown[]> = {
  registry: (env) => [readServiceConfig('registry', DEFAULT_SERVICE_PORTS.registry, env)],
  'metrics-ingest': (env) => [readServiceConfig('metrics-ingest', DEFAULT_SERVICE_PORTS['metrics-ingest'], env), readMetricsIngestSettings(env)],
  'predictive-staging': (env) => [readServiceConfig('predictive-staging', DEFAULT_SERVICE_PORTS['predictive-staging'], env), readPredictiveStagingSettings(env)],
  'routing-control': (env) => [readServiceConfig('routing-control', DEFAULT_SERVICE_PORTS['routing-control'], env), readRoutingControlTuning(env)],
  rollback: (env) => [readServiceConfig('rollback', DEFAULT_SERVICE_PORTS.rollback, env)],
  gateway: (env) => [readGatewayConfig(env)],
  // `strata console` (apps/strata/src/console): the front of the distributed mode.
  console: (env) => [readConsoleConfig(env)],
};

/**
 * Variables of `env` the app does not read: changing one changes neither the configuration nor
 * whether it is accepted. (A proxy noting reads would see them all: the bus config spreads the
 * environment.)
 */
function unreadVariables(app: string, env: Environment): string[] {
  const read = READERS[app]!;
  const baseline = JSON.stringify(read(env));
  return Object.keys(env).filter((name) => {
    try {
      return JSON.stringify(read({ ...env, [name]: `${env[name]}~probe` })) === baseline;
    } catch {
      return false;
    }
  });
}

/** deploy/kubernetes renders with kustomize and runs what the code is: every app, with an environment it reads and accepts. */
describe(OVERLAY, () => {
  let manifests: Manifest[];
  const all = <T extends Manifest>(kind: string) => manifests.filter((manifest) => manifest.kind === kind) as T[];
  const named = <T extends Manifest>(kind: string, name: string) => all<T>(kind).find((manifest) => manifest.metadata.name === name);
  const deployment = (app: string) => named<Deployment>('Deployment', app)!;
  const apps = readdirSync(join(root, 'apps')).filter((app) => !['strata', 'sample-backend', 'eval'].includes(app) && existsSync(join(root, 'apps', app, 'src', 'main.ts')));

  /** The container's environment as the pod sees it: env, then its ConfigMaps and Secrets (decoded). */
  function environmentOf(container: Container): Record<string, string> {
    const fromSources = (container.envFrom ?? []).map((source) => {
      if (source.configMapRef) return named('ConfigMap', source.configMapRef.name)!.data ?? {};
      const secret = named('Secret', source.secretRef!.name)!;
      return Object.fromEntries(Object.entries(secret.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64').toString('utf8')]));
    });
    return Object.assign({}, ...fromSources, Object.fromEntries((container.env ?? []).map((variable) => [variable.name, variable.value ?? ''])));
  }

  beforeAll(() => {
    // kubectl (Debian package `kubectl`, kustomize built in) renders offline; without it this fails, never skips.
    const rendered = execFileSync('kubectl', ['kustomize', join(root, OVERLAY)], { encoding: 'utf8' });
    manifests = parseAllDocuments(rendered).map((document) => document.toJS() as Manifest);
  });

  it.each(apps)('runs %s from the one image, with an environment it reads and accepts', (app) => {
    const [container, ...others] = deployment(app).spec.template.spec.containers;
    expect(others).toEqual([]);
    expect(container!.image).toBe('registry.example.com/strata:0.1.0');
    const env = environmentOf(container!);
    expect(env['APP']).toBe(app);
    expect(existsSync(join(root, 'apps', app, 'src', 'main.ts'))).toBe(true);
    // APP is the image's (deploy/docker/Dockerfile runs apps/${APP}/src/main.ts); every other variable is the app's.
    expect(unreadVariables(app, env)).toEqual(['APP']);
    expect(READERS[app]!(env)[0]).toMatchObject({ host: '0.0.0.0', bus: { transport: 'kafka', brokers: expect.arrayContaining([expect.stringMatching(/:9092$/)]) } });
  });

  it('builds that image from deploy/docker/Dockerfile, which runs the app APP names', () => {
    expect(readFileSync(join(root, 'deploy/docker/Dockerfile'), 'utf8')).toContain('apps/${APP}/src/main.ts');
  });

  it('runs the console (`strata console`) from the one image, pointed at the Service of every service, with an environment it reads and accepts', () => {
    const [container, ...others] = deployment('console').spec.template.spec.containers;
    expect(others).toEqual([]);
    expect(container!.image).toBe('registry.example.com/strata:0.1.0');
    expect(container!.command?.slice(-2)).toEqual(['apps/strata/src/main.ts', 'console']);
    const env = environmentOf(container!);
    expect(unreadVariables('console', env)).toEqual([]);
    const config = readConsoleConfig(env);
    expect(config).toMatchObject({ host: '0.0.0.0', bus: { transport: 'kafka', brokers: expect.arrayContaining([expect.stringMatching(/:9092$/)]) } });
    for (const service of CONSOLE_UPSTREAMS) {
      const url = new URL(config.upstreams[service]);
      const target = named('Service', url.hostname)?.spec as { ports: { port: number }[] } | undefined;
      expect({ service, ports: target?.ports.map((port) => port.port) }).toEqual({ service, ports: [Number(url.port || 80)] });
    }
  });

  it.each([...apps, 'console'])('reports %s ready on /health of the port it listens on', (app) => {
    const container = deployment(app).spec.template.spec.containers[0]!;
    const config = READERS[app]!(environmentOf(container))[0] as { port: number; admin?: { port: number } };
    const probe = container.readinessProbe?.httpGet;
    expect(probe?.path).toBe('/health');
    // The gateway's /health is on its admin listener; its data port routes every path to backends.
    const expectedPort = app === 'gateway' ? config.admin!.port : config.port;
    expect(container.ports?.find((port) => port.name === probe?.port)?.containerPort).toBe(expectedPort);
  });

  it.each([...apps, 'console'])('gives %s a Service and a PodDisruptionBudget that select its pods', (app) => {
    const { selector, template } = deployment(app).spec;
    const labels = template.metadata.labels;
    const selects = (selection: Record<string, string> | undefined) => Object.entries(selection ?? {}).length > 0 && Object.entries(selection ?? {}).every(([key, value]) => labels[key] === value);
    expect(selects(selector.matchLabels)).toBe(true);
    expect(selects(named('Service', app)?.spec?.['selector'] as Record<string, string>)).toBe(true);
    const budget = named('PodDisruptionBudget', app)?.spec as { selector: { matchLabels: Record<string, string> } } | undefined;
    expect(selects(budget?.selector.matchLabels)).toBe(true);
    expect(deployment(app).spec.replicas).toBeGreaterThanOrEqual(2);
  });

  it('scales the gateway out: three replicas in the overlay, autoscaled on CPU, and no database or token in its environment', () => {
    expect(deployment('gateway').spec.replicas).toBe(3);
    expect(named('HorizontalPodAutoscaler', 'gateway')?.spec).toMatchObject({ scaleTargetRef: { kind: 'Deployment', name: 'gateway' }, minReplicas: 2 });
    const env = environmentOf(deployment('gateway').spec.template.spec.containers[0]!);
    expect(Object.keys(env)).not.toEqual(expect.arrayContaining(['DATABASE_URL']));
    expect(Object.keys(env)).not.toEqual(expect.arrayContaining(['STRATA_ADMIN_TOKEN']));
  });
});
