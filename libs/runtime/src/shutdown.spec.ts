import { Controller, Get, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { request } from 'node:http';
import type { AddressInfo } from 'node:net';
import { closeApi } from './shutdown';

@Controller()
class HangingController {
  /** Never answers: a stream or a stuck client holding its connection open. */
  @Get('hang')
  hang(): Promise<never> {
    return new Promise<never>(() => undefined);
  }
}

@Module({ controllers: [HangingController] })
class HangingModule {}

describe('closeApi', () => {
  it('closes an API within the grace period even while a request holds its connection open', async () => {
    const app = await NestFactory.create(HangingModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    const ended = new Promise<string>((resolve) => {
      const held = request({ host: '127.0.0.1', port, path: '/hang' });
      held.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
      held.end();
    });
    // The request has reached the server before the close starts.
    await new Promise((resolve) => setTimeout(resolve, 200));

    const started = Date.now();
    await closeApi(app, 300);

    expect(Date.now() - started).toBeLessThan(2_000);
    expect(await ended).toBe('ECONNRESET');
  });

  it('closes an idle API at once', async () => {
    const app = await NestFactory.create(HangingModule, { logger: false });
    await app.listen(0, '127.0.0.1');
    const started = Date.now();
    await closeApi(app, 5_000);
    expect(Date.now() - started).toBeLessThan(1_000);
  });
});
