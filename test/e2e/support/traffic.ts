import { Agent, request } from 'undici';

/** One answer of the gateway, as a client sees it. */
export interface Answer {
  status: number;
  /** `x-strata-stack-config`: the version group the gateway chose. */
  stackConfig: string | undefined;
  /** `x-strata-version`: what the backend that answered says it runs. */
  version: string | undefined;
  /** `x-strata-node`: the backend node that answered. */
  node: string | undefined;
  /** `performance.now()` when the request was sent. */
  sentAt: number;
  /** Until the whole answer arrived (or the request failed). */
  latencyMs: number;
}

/** Keep-alive connections, as a real client population would hold them. */
const clients = new Agent({ connections: 16, keepAliveTimeout: 10_000, pipelining: 1 });

function header(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

export async function send(url: string, headers: Record<string, string> = {}): Promise<Answer> {
  const sentAt = performance.now();
  try {
    const answer = await request(url, { headers, dispatcher: clients, headersTimeout: 10_000, bodyTimeout: 10_000 });
    await answer.body.dump();
    return {
      status: answer.statusCode,
      stackConfig: header(answer.headers['x-strata-stack-config']),
      version: header(answer.headers['x-strata-version']),
      node: header(answer.headers['x-strata-node']),
      sentAt,
      latencyMs: performance.now() - sentAt,
    };
  } catch {
    // The gateway itself unreachable: a status no HTTP answer has.
    return { status: 0, stackConfig: undefined, version: undefined, node: undefined, sentAt, latencyMs: performance.now() - sentAt };
  }
}

/** `count` requests, `concurrency` at a time; `headersOf(i)` gives request i its headers. */
export async function sendMany(url: string, count: number, headersOf: (index: number) => Record<string, string> = () => ({}), concurrency = 16): Promise<Answer[]> {
  const answers: Answer[] = new Array<Answer>(count);
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < count) {
        const index = next++;
        answers[index] = await send(url, headersOf(index));
      }
    }),
  );
  return answers;
}

/** Requests sent back to back until `stop()` resolves: traffic that runs while something changes. */
export function sendUntil(url: string, concurrency = 8): { answers: Answer[]; stop: () => Promise<Answer[]> } {
  const answers: Answer[] = [];
  let running = true;
  const workers = Array.from({ length: concurrency }, async () => {
    while (running) {
      answers.push(await send(url));
    }
  });
  return {
    answers,
    stop: async () => {
      running = false;
      await Promise.all(workers);
      return answers;
    },
  };
}

/** Requests at a steady rate through the gateway, as users send them, recorded with their answers. */
export function steadyLoad(url: string, rps: number, headers: Record<string, string> = {}): { answers: Answer[]; since: (time: number) => Answer[]; stop: () => Promise<void> } {
  const answers: Answer[] = [];
  let inFlight = 0;
  const perTick = rps / 100;
  let owed = 0;
  const timer = setInterval(() => {
    owed += perTick;
    for (; owed >= 1; owed -= 1) {
      // A stalled gateway must not make the load pile up without bound.
      if (inFlight >= 64) {
        continue;
      }
      inFlight += 1;
      void send(url, headers).then((answer) => {
        answers.push(answer);
        inFlight -= 1;
      });
    }
  }, 10);
  return {
    answers,
    since: (time) => answers.filter((answer) => answer.sentAt >= time),
    stop: async () => {
      clearInterval(timer);
      while (inFlight > 0) {
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
  };
}

export function countBy<T>(items: readonly T[], key: (item: T) => string | undefined): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const item of items) {
    const name = key(item) ?? '(none)';
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}

/** The fraction of answers whose `key` is `value`. */
export function shareOf<T>(items: readonly T[], key: (item: T) => string | undefined, value: string): number {
  return items.length === 0 ? 0 : items.filter((item) => key(item) === value).length / items.length;
}

export async function closeClients(): Promise<void> {
  await clients.close();
}
