import { ApiError, UnreachableError } from './api-client';
import { CliError, ExitCode } from './errors';
import { CliIo } from './io';

export interface WatchOptions<T> {
  io: CliIo;
  intervalMs: number;
  poll: () => Promise<T>;
  render: (frame: T) => string;
  done: (frame: T) => boolean;
  /** The command line that follows the same thing again, named when the API stays away. */
  again: string;
  /**
   * The API just answered the request that started what is watched (deploy --watch): its first poll
   * rides out an outage too. Otherwise the first poll must answer, so a wrong --api fails at once.
   */
  reachable?: boolean;
}

/** Answers a restarting API or the proxy in front of it gives while it is away: asked again, like no answer. */
const AWAY_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

/** Why the API is away for now (no answer, or a 502/503/504), or undefined for an error that stands. */
function awayReason(error: unknown): string | undefined {
  if (error instanceof UnreachableError) return error.reason;
  if (error instanceof ApiError && AWAY_STATUSES.has(error.status)) return error.message;
  return undefined;
}

/** How long a watch waits for an API that stopped answering (a restart, a redeploy) before it gives up. */
export const OUTAGE_BUDGET_MS = 30_000;
const FIRST_RETRY_MS = 250;
const LONGEST_RETRY_MS = 4_000;

/** Terminal rows a text takes, long lines wrapping at the terminal's width. */
function rowsOf(text: string, width: number | undefined): number {
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  return lines.reduce((rows, line) => rows + (width && width > 0 ? Math.max(1, Math.ceil(line.length / width)) : 1), 0);
}

/** "Strata at <url>" when the error knows the URL (no answer), else "Strata" (an answer saying it is away). */
const strataAt = (error: unknown) => (error instanceof UnreachableError ? `Strata at ${error.api}` : 'Strata');

/**
 * The next frame. The thing watched goes on server-side while the API is away, so an API that does
 * not answer, or answers 502/503/504, is polled again, backing off, for OUTAGE_BUDGET_MS;
 * `onOutage` tells the user once. Any other error stands.
 */
async function pollThroughOutage<T>(io: CliIo, poll: () => Promise<T>, again: string, onOutage: (error: unknown, reason: string) => void): Promise<T> {
  let since: number | undefined;
  let delayMs = FIRST_RETRY_MS;
  for (;;) {
    try {
      return await poll();
    } catch (error) {
      const reason = awayReason(error);
      if (reason === undefined) throw error;
      if (since === undefined) {
        since = io.now();
        onOutage(error, reason);
      }
      const leftMs = since + OUTAGE_BUDGET_MS - io.now();
      if (leftMs <= 0) {
        throw new CliError(`${strataAt(error)} has not answered for ${OUTAGE_BUDGET_MS / 1000} s (${reason}); what you watched goes on without the CLI: follow it again with ${again}`, ExitCode.failed);
      }
      await io.sleep(Math.min(delayMs, leftMs));
      delayMs = Math.min(delayMs * 2, LONGEST_RETRY_MS);
    }
  }
}

/**
 * Polls until `done`, redrawing in place on a terminal (cursor up, clear to the end) and, when the
 * output is a pipe or a file, printing each new frame once, so a log shows every change.
 * Returns the last frame.
 */
export async function watchUntilDone<T>({ io, intervalMs, poll, render, done, again, reachable = false }: WatchOptions<T>): Promise<T> {
  let shown = '';
  // A reconnecting note on the same terminal sits below the frame: the next redraw clears it too.
  let noteRows = 0;
  const noteOutage = (error: unknown, reason: string) => {
    const note = `${strataAt(error)} is not answering (${reason}): reconnecting for up to ${OUTAGE_BUDGET_MS / 1000} s\n`;
    io.stderr.write(note);
    if (io.stdout.isTTY && io.stderr.isTTY) noteRows += rowsOf(note, io.stdout.columns);
  };
  // Unless the API just answered, the first poll must: a wrong --api fails at once, not after the outage budget.
  let frame = reachable ? await pollThroughOutage(io, poll, again, noteOutage) : await poll();
  for (;;) {
    const text = render(frame);
    if (text !== shown || noteRows > 0) {
      if (shown !== '') {
        io.stdout.write(io.stdout.isTTY ? `\x1b[${rowsOf(shown, io.stdout.columns) + noteRows}A\x1b[0J` : '\n');
      }
      io.stdout.write(text);
      shown = text;
      noteRows = 0;
    }
    if (done(frame)) {
      return frame;
    }
    await io.sleep(intervalMs);
    frame = await pollThroughOutage(io, poll, again, noteOutage);
  }
}

/** How a watch ends: a note on success, a failure (exit 1) when the thing watched did not make it. */
export function watchOutcome(succeeded: boolean, summary: string, note: (text: string) => void): void {
  if (!succeeded) throw new CliError(summary, ExitCode.failed);
  note(summary);
}
