/** What a Prometheus query source asks for in one run: evaluation timestamps start, start+step, …, end. */
export interface QueryWindow {
  /** Epoch milliseconds, a multiple of the step. */
  start: number;
  end: number;
  /** False when the source is further behind than one request may cover: run again at once. */
  caughtUp: boolean;
}

export interface QueryWindowInput {
  /** The last evaluation timestamp already stored; null before the first run. */
  cursor: number | null;
  now: number;
  stepMs: number;
  /** How far behind `now` evaluation stops, so the last scrapes have reached Prometheus. */
  delayMs: number;
  /** How far back the first run starts. */
  backfillMs: number;
  /** The oldest timestamp the store accepts (the raw retention horizon). */
  acceptedFrom: number;
  maxPoints: number;
}

/**
 * The next range a query source evaluates. Timestamps sit on multiples of the step (so every run
 * evaluates the same grid) and each run starts one step after the last stored one: no gap, no
 * timestamp evaluated twice. A source that was down resumes where it stopped, except for what the
 * store would refuse as older than the retention. Null when nothing is due yet.
 */
export function nextQueryWindow(input: QueryWindowInput): QueryWindow | null {
  const { stepMs } = input;
  const latest = Math.floor((input.now - input.delayMs) / stepMs) * stepMs;
  const oldest = Math.ceil(input.acceptedFrom / stepMs) * stepMs;
  const wanted = input.cursor === null ? latest - Math.floor(input.backfillMs / stepMs) * stepMs : Math.floor(input.cursor / stepMs) * stepMs + stepMs;
  const start = Math.max(wanted, oldest);
  if (start > latest) {
    return null;
  }
  const end = Math.min(latest, start + (input.maxPoints - 1) * stepMs);
  return { start, end, caughtUp: end === latest };
}
