import { createServer } from 'node:net';
import { portInUseProblem, portOrFree } from './ports';

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

describe(portInUseProblem.name, () => {
  const ports = { PORT: 8000, STRATA_GATEWAY_ADMIN_PORT: 9901 };

  it('names the variable whose port node:http found taken', () => {
    const error = Object.assign(new Error('listen EADDRINUSE: address already in use 127.0.0.1:9901'), { code: 'EADDRINUSE', port: 9901 });
    expect(portInUseProblem(error, ports)).toBe('STRATA_GATEWAY_ADMIN_PORT=9901 is already in use (another Strata process, or npm start, may hold it): set STRATA_GATEWAY_ADMIN_PORT to a free port');
  });

  it("reads the port from the message of an error passed on by a gateway worker (no code or port property)", () => {
    expect(portInUseProblem(new Error('listen EADDRINUSE: address already in use 127.0.0.1:8000'), ports)).toMatch(/^PORT=8000 is already in use/);
  });

  it('is null for any other failure', () => {
    expect(portInUseProblem(Object.assign(new Error('listen EACCES: permission denied 0.0.0.0:80'), { code: 'EACCES' }), ports)).toBeNull();
    expect(portInUseProblem('boom', ports)).toBeNull();
  });
});
