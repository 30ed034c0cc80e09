import { portOrFree } from '@strata/runtime';

/** A loopback port the OS says is free now, for a child process to listen on. */
export function freePort(): Promise<number> {
  return portOrFree(0, '127.0.0.1');
}
