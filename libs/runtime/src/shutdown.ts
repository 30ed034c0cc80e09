import { Logger } from '@strata/observability';

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
