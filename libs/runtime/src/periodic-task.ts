/**
 * A background job on a timer: one pass at a time (a pass still running when the next is due is
 * joined, never overlapped), the timer unref'd so it never holds a process open, failures handed
 * to `onError` so one bad pass does not stop the next, and `stop()` waiting for the pass in
 * flight so a shutdown never closes the database under it.
 */
export class PeriodicTask {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly pass: () => Promise<unknown>,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Runs a pass every `intervalMs`; 0 leaves the task to be run by hand. */
  start(intervalMs: number): void {
    if (intervalMs > 0 && this.timer === undefined) {
      this.timer = setInterval(() => void this.runNow(), intervalMs);
      this.timer.unref();
    }
  }

  /** Runs a pass now, or joins the one running; resolves when it is over (never rejects). */
  runNow(): Promise<void> {
    this.running ??= this.pass()
      .then(
        () => undefined,
        (error: unknown) => {
          try {
            this.onError(error);
          } catch {
            // A failing error report must not become an unhandled rejection that ends the process.
          }
        },
      )
      .finally(() => {
        this.running = undefined;
      });
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }
}
