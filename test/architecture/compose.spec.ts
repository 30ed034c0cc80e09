import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { CONSOLE_UPSTREAMS, DEFAULT_SERVICE_PORTS, readConsoleConfig, readServiceConfig } from '@strata/config';
import { readGatewayConfig } from '@strata/gateway';
import { parse } from 'yaml';

const root = join(__dirname, '..', '..');

interface ComposeService {
  command?: string[];
  environment?: Record<string, string | number>;
  ports?: string[];
}

/** deploy/compose must run what the code is: every app, with an environment its config accepts. */
describe('deploy/compose/compose.yaml', () => {
  const compose = parse(readFileSync(join(root, 'deploy/compose/compose.yaml'), 'utf8'), { merge: true }) as { services: Record<string, ComposeService> };
  // The launcher runs every service itself; sample-backend and eval are tools, not part of a deployment.
  const apps = readdirSync(join(root, 'apps')).filter((app) => !['strata', 'sample-backend', 'eval'].includes(app) && existsSync(join(root, 'apps', app, 'src', 'main.ts')));

  const environmentOf = (service: ComposeService) =>
    Object.fromEntries(Object.entries(service.environment ?? {}).map(([name, value]) => [name, String(value)]));

  it.each(apps)('runs the %s app', (app) => {
    const service = compose.services[app];
    expect(service).toBeDefined();
    const environment = environmentOf(service!);
    expect(environment['APP']).toBe(app);
    expect(existsSync(join(root, 'apps', app, 'src', 'main.ts'))).toBe(true);
    // The gateway's second port, its admin listener's, is checked below.
    expect(service!.ports?.slice(0, 1)).toEqual([`${environment['PORT']}:${environment['PORT']}`]);
    expect(service!.ports).toHaveLength(app === 'gateway' ? 2 : 1);
  });

  it.each(Object.keys(DEFAULT_SERVICE_PORTS).filter((service) => service !== 'gateway'))('gives %s an environment its configuration accepts', (service) => {
    const config = readServiceConfig(service, 0, environmentOf(compose.services[service]!));
    expect(config.bus).toMatchObject({ transport: 'kafka', brokers: ['kafka:9092'] });
    expect(config.host).toBe('0.0.0.0');
  });

  it('runs the console (`strata console`) pointed at every service where its container listens', () => {
    const service = compose.services['console']!;
    expect(service.command?.slice(-2)).toEqual(['apps/strata/src/main.ts', 'console']);
    const config = readConsoleConfig(environmentOf(service));
    expect(config).toMatchObject({ host: '0.0.0.0', bus: { transport: 'kafka', brokers: ['kafka:9092'] } });
    expect(service.ports).toEqual([`${config.port}:${config.port}`]);
    for (const upstream of CONSOLE_UPSTREAMS) {
      const url = new URL(config.upstreams[upstream]);
      expect({ upstream, host: url.hostname, port: url.port }).toEqual({ upstream, host: upstream, port: String(environmentOf(compose.services[upstream]!)['PORT']) });
    }
  });

  it('gives the gateway an environment its configuration accepts', () => {
    const config = readGatewayConfig(environmentOf(compose.services['gateway']!));
    expect(config).toMatchObject({ gatewayId: 'gateway-1', host: '0.0.0.0', port: 8000, admin: { host: '0.0.0.0', port: 9901 }, bus: { transport: 'kafka' } });
  });

  it('publishes the gateway\'s admin port on the Docker host\'s loopback only', () => {
    const gateway = compose.services['gateway']!;
    expect(gateway.ports).toEqual(['8000:8000', `127.0.0.1:${environmentOf(gateway)['STRATA_GATEWAY_ADMIN_PORT']}:9901`]);
  });
});
