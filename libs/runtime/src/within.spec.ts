import { within } from './within';

describe(within.name, () => {
  it('answers with the work when it ends in time, and with its own error when it fails', async () => {
    await expect(within(Promise.resolve(7), 1_000, 'reading')).resolves.toBe(7);
    await expect(within(Promise.reject(new Error('refused')), 1_000, 'reading')).rejects.toThrow('refused');
  });

  it('rejects naming what took too long once the time is up', async () => {
    const started = Date.now();
    await expect(within(new Promise(() => undefined), 50, 'reading the positions')).rejects.toThrow('reading the positions took more than 50 ms');
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
