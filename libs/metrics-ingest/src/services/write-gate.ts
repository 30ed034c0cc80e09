import { DomainError, DomainErrorCode } from '@strata/domain';

/**
 * Backpressure for intake: at most `concurrency` writes run at once (each holds a database
 * connection); up to `maxQueued` more wait in line; beyond that a write is refused as unavailable
 * (HTTP 503, a transient failure for consumers) so producers slow down instead of the process
 * buffering without bound.
 */
export class WriteGate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxQueued: number,
  ) {}

  get queued(): number {
    return this.waiting.length;
  }

  async run<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= this.concurrency) {
      if (this.waiting.length >= this.maxQueued) {
        throw new DomainError(DomainErrorCode.Unavailable, `ingest is saturated (${this.waiting.length} batches waiting); retry later`);
      }
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running += 1;
    }
    try {
      return await work();
    } finally {
      const next = this.waiting.shift();
      if (next) {
        next(); // hands this slot over: `running` stays the same
      } else {
        this.running -= 1;
      }
    }
  }
}
