import { spawn } from 'node:child_process';
import { Socket } from 'node:net';
import { Logger } from '@strata/observability';
import { ServerUser, spawnIdentity } from './postgres-server-user';

/**
 * Run by `/bin/sh` with the postmaster's pid and the cluster directory. Its stdin is a pipe whose
 * other end only the launcher holds, so `read` meets end of file when the launcher exits, however
 * it exits; a clean stop writes `disarm` first. Then: fast shutdown (SIGINT: transactions rolled
 * back, data flushed), immediate (SIGQUIT) after 10 s. The pid is signalled only while the
 * cluster's postmaster.pid names it (a postmaster still starting is given 5 s to write it), so a
 * pid since reused by another process is never signalled.
 */
const SCRIPT = `# strata: stops the embedded PostgreSQL when Strata exits
while read -r line; do [ "$line" = disarm ] && exit 0; done
pid=$1 pidfile=$2/postmaster.pid
running() { [ "$(head -n 1 "$pidfile" 2>/dev/null)" = "$pid" ] && kill -0 "$pid" 2>/dev/null; }
n=0; until running; do kill -0 "$pid" 2>/dev/null && [ $n -lt 50 ] || exit 0; sleep 0.1; n=$((n + 1)); done
kill -INT "$pid"
n=0; while running && [ $n -lt 100 ]; do sleep 0.1; n=$((n + 1)); done
running && kill -QUIT "$pid"
exit 0
`;

export interface PostmasterWatchdog {
  /** The launcher stopped PostgreSQL itself: the watchdog leaves without doing anything. */
  disarm(): void;
}

/**
 * Stops the postmaster `pid` when the launcher dies, SIGKILL included, where no shutdown hook
 * runs. A watchdog process is the one portable way (PR_SET_PDEATHSIG is Linux-only and needs
 * native code or `setpriv`): a shell, a megabyte, started in milliseconds, in its own session so
 * that neither Ctrl-C in a terminal nor a kill of the launcher's process group reaches it. It runs
 * as the server's user, so it can signal nothing PostgreSQL's own user could not. Called right
 * after the postmaster is spawned, with nothing awaited in between.
 */
export function watchPostmaster(pid: number, clusterDir: string, user: ServerUser, logger: Logger): PostmasterWatchdog {
  const watchdog = spawn('/bin/sh', ['-c', SCRIPT, 'strata-postgres-watchdog', String(pid), clusterDir], {
    ...spawnIdentity(user),
    cwd: '/',
    detached: true,
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  watchdog.on('error', (error) => logger.warn('no watchdog: PostgreSQL would outlive a killed Strata until its next start', { error: error.message }));
  watchdog.stdin.on('error', () => undefined); // already gone: nothing left to disarm
  // Neither keeps the launcher alive; its exit closes the pipe, which is the signal.
  watchdog.unref();
  (watchdog.stdin as Socket).unref();
  return { disarm: () => watchdog.stdin.end('disarm\n') };
}
