import type { INestApplication } from '@nestjs/common';
import { Logger } from '@strata/observability';
import type { Server } from 'node:http';

/** How long requests in flight may finish once the API starts closing. */
export const CLOSE_GRACE_MS = 5_000;

/**
 * Stops cleanly on SIGINT/SIGTERM (Ctrl-C, an orchestrator), within a deadline; a second signal
 * or a stuck shutdown exits at once rather than hanging an operator's terminal.
 */
export function stopOnSignals(processName: string, stop: () => Promise<void>, deadlineMs = 20_000): void {
  const logger = new Logger(processName);
  let stopping = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (stopping) {
      logger.warn('second signal: exiting without waiting', { signal });
      process.exit(130);
    }
    stopping = true;
    logger.info('stopping', { signal });
    const deadline = setTimeout(() => {
      logger.error(`shutdown took longer than ${deadlineMs} ms; exiting`);
      process.exit(1);
    }, deadlineMs);
    deadline.unref();
    stop().then(
      () => {
        logger.info('stopped');
        process.exit(0);
      },
      (error: unknown) => {
        logger.error('shutdown failed', error);
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
}

/** Logs what killed the process instead of dying silently. */
export function exitOnFatalError(processName: string): void {
  const logger = new Logger(processName);
  process.on('unhandledRejection', (reason) => {
    logger.error('unhandled promise rejection', reason);
  });
  process.on('uncaughtException', (error) => {
    logger.error('uncaught exception; exiting', error);
    process.exit(1);
  });
}

/**
 * Closes a Nest API, giving requests in flight `graceMs` to finish, then closing every connection
 * still open (a stream, a slow client, a keep-alive connection that took a request after the
 * close began) once a second until the server has closed: what a client held open must not turn
 * a Ctrl-C into the shutdown deadline.
 */
export async function closeApi(app: INestApplication, graceMs = CLOSE_GRACE_MS): Promise<void> {
  const server = app.getHttpServer() as Server;
  let sweeper: NodeJS.Timeout | undefined;
  const grace = setTimeout(() => {
    server.closeAllConnections();
    sweeper = setInterval(() => server.closeAllConnections(), 1_000);
    sweeper.unref();
  }, graceMs);
  grace.unref();
  try {
    await app.close();
  } finally {
    clearTimeout(grace);
    clearInterval(sweeper);
  }
}
