import { createServer } from 'node:net';
import { portOrFree } from './ports';

describe(portOrFree.name, () => {
  it('keeps a free preferred port', async () => {
    const free = await portOrFree(0, '127.0.0.1');
    expect(await portOrFree(free, '127.0.0.1')).toBe(free);
  });

  it('picks another port when the preferred one is taken', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const taken = (server.address() as { port: number }).port;
    try {
      const chosen = await portOrFree(taken, '127.0.0.1');
      expect(chosen).not.toBe(taken);
      expect(chosen).toBeGreaterThan(0);
    } finally {
      server.close();
    }
  });
});
