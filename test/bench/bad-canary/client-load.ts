// Steady client load through the gateway for bench:bad-canary: paced requests on keep-alive
// connections, each answer kept with what the gateway says about who served it.
import { Agent, request } from 'undici';

/** One answer as the client saw it. */
export interface ClientAnswer {
  /** `performance.now()` when the request was sent. */
  sentAt: number;
  /** HTTP status; 0 when no answer came (connection error, timeout). */
  status: number;
  /** `x-strata-version`: what the backend that answered runs. */
  version: string | undefined;
  /** `x-strata-retried-from`: the stack config a failed idempotent request was first sent to. */
  retriedFrom: string | undefined;
}

export interface ClientLoad {
  readonly answers: readonly ClientAnswer[];
  /** Requests skipped because `maxInFlight` were already outstanding (a stalled gateway). */
  readonly skipped: number;
  stop(): Promise<void>;
}

export interface LoadOptions {
  url: string;
  headers: Record<string, string>;
  rps: number;
  connections: number;
  /** An answer slower than this counts as a failure (status 0). */
  timeoutMs: number;
}

const TICK_MS = 10;

function header(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

/**
 * Sends `rps` GETs a second, spread over 10 ms ticks (open loop: a slow answer does not slow the
 * offered rate, as real users do not wait for each other), over at most `connections` keep-alive
 * connections. At most 4 × connections are outstanding; beyond that requests are counted as
 * skipped rather than queued without bound.
 */
export function startLoad(options: LoadOptions): ClientLoad {
  const agent = new Agent({ connections: options.connections, keepAliveTimeout: 30_000, pipelining: 1 });
  const answers: ClientAnswer[] = [];
  const maxInFlight = options.connections * 4;
  const perTick = (options.rps * TICK_MS) / 1_000;
  let inFlight = 0;
  let skipped = 0;
  let owed = 0;

  const send = async (): Promise<void> => {
    const sentAt = performance.now();
    try {
      const answer = await request(options.url, { headers: options.headers, dispatcher: agent, headersTimeout: options.timeoutMs, bodyTimeout: options.timeoutMs });
      await answer.body.dump();
      answers.push({ sentAt, status: answer.statusCode, version: header(answer.headers['x-strata-version']), retriedFrom: header(answer.headers['x-strata-retried-from']) });
    } catch {
      answers.push({ sentAt, status: 0, version: undefined, retriedFrom: undefined });
    }
  };

  const timer = setInterval(() => {
    owed += perTick;
    for (; owed >= 1; owed -= 1) {
      if (inFlight >= maxInFlight) {
        skipped += 1;
        continue;
      }
      inFlight += 1;
      void send().finally(() => (inFlight -= 1));
    }
  }, TICK_MS);

  let stopped: Promise<void> | undefined;
  const stop = async (): Promise<void> => {
    clearInterval(timer);
    while (inFlight > 0) {
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
    await agent.close();
  };
  return {
    answers,
    get skipped() {
      return skipped;
    },
    // Idempotent: the bench stops the load when it has its figures, and again on its way out.
    stop: () => (stopped ??= stop()),
  };
}
