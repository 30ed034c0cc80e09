import { RegistryModule, TokensService } from '@strata/registry';
import { ServiceTestApp, freePort, startServiceTestApp } from '@strata/testing/harness';
import { DashboardModule } from './dashboard.module';

const RECHECK_MS = 250;

/**
 * The live stream of a token the registry issued, on the API as `npm start` builds it (createApi's
 * auth guard, the registry's token table): revoking the token ends a stream it opened.
 */
describe('the live stream of a revoked token', () => {
  let sut: ServiceTestApp;
  let origin: string;

  beforeAll(async () => {
    sut = await startServiceTestApp({
      label: 'live-revoked',
      modules: (options) => [RegistryModule.register(options), DashboardModule.register({ tokenRecheckMs: RECHECK_MS })],
      tokenLookup: (built) => built.get(TokensService, { strict: false }),
    });
    const port = await freePort();
    await sut.app.listen(port, '127.0.0.1');
    origin = `http://127.0.0.1:${port}`;
  }, 120_000);

  afterAll(async () => {
    await sut?.close();
  });

  it('ends, within a check, a stream opened with a token that is then revoked; the token cannot open another', async () => {
    const issued = (await sut.http().post('/v1/tokens').send({ principal: 'dashboard-viewer', role: 'viewer' }).expect(201)).body as { id: string; token: string };
    const headers = { authorization: `Bearer ${issued.token}` };
    const stream = new AbortController();
    const live = await fetch(`${origin}/v1/live`, { headers, signal: stream.signal });
    expect({ status: live.status, type: live.headers.get('content-type') }).toMatchObject({ status: 200, type: expect.stringContaining('text/event-stream') });
    const reader = (live.body as ReadableStream<Uint8Array>).getReader();
    const ended = (async () => {
      while (!(await reader.read()).done);
      return Date.now();
    })();
    try {
      // Open across several checks while the token is good.
      await new Promise((resolve) => setTimeout(resolve, 3 * RECHECK_MS));
      await sut.http().post(`/v1/tokens/${issued.id}/revoke`).expect(200);
      const revokedAt = Date.now();

      let deadline: NodeJS.Timeout | undefined;
      const endedAt = await Promise.race([ended, new Promise<never>((_resolve, reject) => (deadline = setTimeout(() => reject(new Error('the stream stayed open 15 s after the revocation')), 15_000)))]).finally(() => clearTimeout(deadline));
      expect(endedAt - revokedAt).toBeLessThan(10 * RECHECK_MS);
      const again = await fetch(`${origin}/v1/live`, { headers });
      expect({ status: again.status, body: await again.json() }).toMatchObject({ status: 401, body: { detail: 'the bearer token has been revoked' } });
    } finally {
      stream.abort();
      await ended.catch(() => undefined);
    }
  }, 30_000);
});
