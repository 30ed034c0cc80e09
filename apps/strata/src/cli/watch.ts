import { CliError, ExitCode } from './errors';
import { CliIo } from './io';

export interface WatchOptions<T> {
  io: CliIo;
  intervalMs: number;
  poll: () => Promise<T>;
  render: (frame: T) => string;
  done: (frame: T) => boolean;
}

/** Terminal rows a text takes, long lines wrapping at the terminal's width. */
function rowsOf(text: string, width: number | undefined): number {
  const lines = text.endsWith('\n') ? text.slice(0, -1).split('\n') : text.split('\n');
  return lines.reduce((rows, line) => rows + (width && width > 0 ? Math.max(1, Math.ceil(line.length / width)) : 1), 0);
}

/**
 * Polls until `done`, redrawing in place on a terminal (cursor up, clear to the end) and, when the
 * output is a pipe or a file, printing each new frame once, so a log shows every change.
 * Returns the last frame.
 */
export async function watchUntilDone<T>({ io, intervalMs, poll, render, done }: WatchOptions<T>): Promise<T> {
  let shown = '';
  for (;;) {
    const frame = await poll();
    const text = render(frame);
    if (text !== shown) {
      if (shown !== '') {
        io.stdout.write(io.stdout.isTTY ? `\x1b[${rowsOf(shown, io.stdout.columns)}A\x1b[0J` : '\n');
      }
      io.stdout.write(text);
      shown = text;
    }
    if (done(frame)) {
      return frame;
    }
    await io.sleep(intervalMs);
  }
}

/** How a watch ends: a note on success, a failure (exit 1) when the thing watched did not make it. */
export function watchOutcome(succeeded: boolean, summary: string, note: (text: string) => void): void {
  if (!succeeded) throw new CliError(summary, ExitCode.failed);
  note(summary);
}
