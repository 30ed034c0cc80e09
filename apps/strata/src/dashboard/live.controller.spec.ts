import { CanActivate, INestApplication, Module } from '@nestjs/common';
import { NestFactory, Reflector } from '@nestjs/core';
import { CONSOLE_UPSTREAMS } from '@strata/config';
import { BusModule, InMemoryEventBus } from '@strata/messaging';
import { BearerAuthGuard, IssuedToken, hashTokenSecret } from '@strata/observability';
import { Server, createServer } from 'node:http';
import { AddressInfo } from 'node:net';
import { ConsoleAuthGuard } from '../console/console-auth.guard';
import { RegistryTokenCheck, TOKEN_CHECK_TTL_MS } from '../console/registry-token-check';
import { Upstreams } from '../console/upstreams';
import { DashboardModule } from './dashboard.module';
import { LiveController } from './live.controller';

const RECHECK_MS = 50;
const SECRET = `strata_${'v'.repeat(43)}`;

/** Where the stream's token is kept and how it stops being accepted, for one of the two guards the stream meets. */
interface TokenAuthority {
  guard(reflector: Reflector): CanActivate;
  /** Revoked now, expired `expiresInMs` from now, or forgotten (unknown from now on). */
  change(change: 'revoked' | 'forgotten' | { expiresInMs: number }): void;
  close(): Promise<void>;
}

/** The embedded API's guard (createApi), on a token table in memory. */
async function tokenTable(): Promise<TokenAuthority> {
  let row: IssuedToken = { id: 't-1', principal: 'dashboard', role: 'viewer', tokenHash: hashTokenSecret(SECRET), expiresAt: null, revokedAt: null };
  const lookup = { findByHash: async (tokenHash: string) => (tokenHash === row.tokenHash ? row : undefined) };
  return {
    guard: (reflector) => new BearerAuthGuard(reflector, [], () => lookup),
    change: (change) => {
      row = change === 'revoked' ? { ...row, revokedAt: new Date() } : change === 'forgotten' ? { ...row, tokenHash: hashTokenSecret('another') } : { ...row, expiresAt: new Date(Date.now() + change.expiresInMs) };
    },
    close: async () => undefined,
  };
}

/** The console's guard, asking a stand-in registry that answers as the real one (200, or 401 once the token is refused). */
async function registry(): Promise<TokenAuthority> {
  let refusedAt = Number.POSITIVE_INFINITY;
  // The console's cache of accepted tokens is real too: its clock runs ahead so a spec need not wait out its TTL.
  const ahead = () => (Date.now() >= refusedAt ? TOKEN_CHECK_TTL_MS : 0);
  const server: Server = createServer((request, response) => {
    const accepted = request.headers.authorization === `Bearer ${SECRET}` && Date.now() < refusedAt;
    response.writeHead(accepted ? 200 : 401, { 'content-type': 'application/json' }).end(JSON.stringify(accepted ? { items: [] } : { status: 401, detail: 'the bearer token has been revoked' }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const upstreams = new Upstreams(Object.fromEntries(CONSOLE_UPSTREAMS.map((service) => [service, url])) as Record<(typeof CONSOLE_UPSTREAMS)[number], string>);
  return {
    guard: (reflector) => new ConsoleAuthGuard(reflector, [], new RegistryTokenCheck(upstreams, () => Date.now() + ahead())),
    change: (change) => {
      refusedAt = typeof change === 'object' ? Date.now() + change.expiresInMs : Date.now();
    },
    close: async () => {
      upstreams.destroy();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

interface OpenStream {
  status: number;
  headers: Headers;
  /** Resolves with the milliseconds the stream stayed open once the server ends it. */
  ended: Promise<number>;
  close(): void;
}

async function within<T>(promise: Promise<T>, ms: number): Promise<T | 'still open'> {
  let timer: NodeJS.Timeout | undefined;
  const open = new Promise<'still open'>((resolve) => (timer = setTimeout(() => resolve('still open'), ms)));
  return Promise.race([promise, open]).finally(() => clearTimeout(timer));
}

describe.each([
  ['the API (BearerAuthGuard)', tokenTable],
  ['the console (ConsoleAuthGuard)', registry],
])(`${LiveController.name} on %s`, (_origin, authority) => {
  let app: INestApplication;
  let tokens: TokenAuthority;
  let origin: string;

  beforeEach(async () => {
    tokens = await authority();
    @Module({ imports: [BusModule.forRoot(new InMemoryEventBus(1)), DashboardModule.register({ tokenRecheckMs: RECHECK_MS })] })
    class LiveTestModule {}
    app = await NestFactory.create(LiveTestModule, { logger: false });
    app.useGlobalGuards(tokens.guard(app.get(Reflector)));
    await app.listen(0, '127.0.0.1');
    origin = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  });

  afterEach(async () => {
    await app.close();
    await tokens.close();
  });

  async function open(): Promise<OpenStream> {
    const stop = new AbortController();
    const opened = Date.now();
    const response = await fetch(`${origin}/v1/live`, { headers: { authorization: `Bearer ${SECRET}` }, signal: stop.signal });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const ended = (async () => {
      while (!(await reader.read()).done);
      return Date.now() - opened;
    })();
    ended.catch(() => undefined);
    return { status: response.status, headers: response.headers, ended, close: () => stop.abort() };
  }

  it('ends the stream of a token revoked while it is open, at the next check', async () => {
    const stream = await open();
    expect(stream.status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, 5 * RECHECK_MS));
    tokens.change('revoked');

    await expect(within(stream.ended, 20 * RECHECK_MS)).resolves.toEqual(expect.any(Number));
  });

  it('ends the stream of a token once it expires', async () => {
    tokens.change({ expiresInMs: 4 * RECHECK_MS });
    const expiring = await open();
    await expect(within(expiring.ended, 20 * RECHECK_MS)).resolves.toBeGreaterThanOrEqual(4 * RECHECK_MS);
  });

  it('ends the stream of a token no longer known', async () => {
    const stream = await open();
    tokens.change('forgotten');
    await expect(within(stream.ended, 20 * RECHECK_MS)).resolves.toEqual(expect.any(Number));
  });

  it('keeps the stream of a token still accepted open across its checks', async () => {
    const stream = await open();
    await expect(within(stream.ended, 10 * RECHECK_MS)).resolves.toBe('still open');
    stream.close();
  });

  it('answers no caching', async () => {
    const stream = await open();
    expect(stream.headers.get('content-type')).toContain('text/event-stream');
    expect(stream.headers.get('cache-control')).toContain('no-store');
    stream.close();
  });
});
