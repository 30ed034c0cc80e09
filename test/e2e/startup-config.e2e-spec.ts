import { ServiceProcess } from './support/service-process';

/** A bad or missing variable stops a process at start with a message naming it (exit 78, EX_CONFIG). */
describe('configuration at start-up', () => {
  async function exitOf(app: string, env: Record<string, string>): Promise<{ code: number | null; output: string }> {
    const service = new ServiceProcess(app, env);
    service.start();
    const code = await service.exitCode(30_000);
    return { code, output: service.log };
  }

  it('stops a service without DATABASE_URL, naming it', async () => {
    const { code, output } = await exitOf('registry', { DATABASE_URL: '', KAFKA_BROKERS: '127.0.0.1:9092' });
    expect(code).toBe(78);
    expect(output).toContain('DATABASE_URL: ');
  }, 40_000);

  it('stops a service whose bus needs brokers it was not given', async () => {
    const { code, output } = await exitOf('rollback', { DATABASE_URL: 'postgres://127.0.0.1/x', STRATA_BUS: 'kafka', KAFKA_BROKERS: '' });
    expect(code).toBe(78);
    expect(output).toContain('KAFKA_BROKERS: is required when STRATA_BUS=kafka');
  }, 40_000);

  it('stops the gateway on a bad PORT, naming it', async () => {
    const { code, output } = await exitOf('gateway', { PORT: 'eighty', STRATA_BUS: 'memory' });
    expect(code).toBe(78);
    expect(output).toContain("PORT: ");
    expect(output).toContain("(got 'eighty')");
  }, 40_000);

  it('stops the all-in-one launcher on a bad STRATA_PORT, naming it', async () => {
    const { code, output } = await exitOf('strata', { STRATA_PORT: '-1' });
    expect(code).toBe(78);
    expect(output).toContain('STRATA_PORT: ');
  }, 40_000);

  it('stops the all-in-one launcher on a gateway headers timeout it cannot honour, before starting anything', async () => {
    const { code, output } = await exitOf('strata', { STRATA_GATEWAY_HEADERS_TIMEOUT_MS: '0' });
    expect(code).toBe(78);
    expect(output).toContain("STRATA_GATEWAY_HEADERS_TIMEOUT_MS: must be at least 1000 (got '0')");
  }, 40_000);

  it('stops the launcher and a service on a bad STRATA_ADMIN_TOKEN, naming it', async () => {
    const embedded = await exitOf('strata', { STRATA_ADMIN_TOKEN: 'too-short' });
    expect(embedded.code).toBe(78);
    expect(embedded.output).toContain('STRATA_ADMIN_TOKEN: ');
    const service = await exitOf('registry', { DATABASE_URL: 'postgres://127.0.0.1/x', STRATA_BUS: 'memory', STRATA_ADMIN_TOKEN: 'has spaces in it, which no bearer token may have' });
    expect(service.code).toBe(78);
    expect(service.output).toContain('STRATA_ADMIN_TOKEN: ');
  }, 40_000);
});
