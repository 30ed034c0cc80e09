import { HealthRegistry } from './health-registry';

describe(HealthRegistry.name, () => {
  it('is up when every probe answers', async () => {
    const sut = new HealthRegistry();
    sut.register('registry', 'database', async () => undefined);
    sut.register('registry', 'bus', async () => undefined);
    const report = await sut.report();
    expect(report.status).toBe('up');
    expect(Object.keys(report.services['registry']?.checks ?? {})).toEqual(['database', 'bus']);
  });

  it('is down with the reason when one probe fails', async () => {
    const sut = new HealthRegistry();
    sut.register('registry', 'database', async () => undefined);
    sut.register('rollback', 'database', async () => {
      throw new Error('connection refused');
    });
    const report = await sut.report();
    expect(report.status).toBe('down');
    expect(report.services['registry']?.status).toBe('up');
    expect(report.services['rollback']).toEqual({
      status: 'down',
      checks: { database: { status: 'down', latencyMs: expect.any(Number), detail: 'connection refused' } },
    });
  });

  it('counts a probe that never answers as down', async () => {
    jest.useFakeTimers();
    try {
      const sut = new HealthRegistry();
      sut.register('gateway', 'bus', () => new Promise(() => undefined));
      const pending = sut.report();
      await jest.advanceTimersByTimeAsync(2_001);
      const report = await pending;
      expect(report.services['gateway']?.checks['bus']).toMatchObject({ status: 'down', detail: 'no answer within 2000 ms' });
    } finally {
      jest.useRealTimers();
    }
  });

  it('lists services in name order', async () => {
    const sut = new HealthRegistry();
    sut.register('rollback', 'database', async () => undefined);
    sut.register('gateway', 'bus', async () => undefined);
    expect(Object.keys((await sut.report()).services)).toEqual(['gateway', 'rollback']);
  });
});
