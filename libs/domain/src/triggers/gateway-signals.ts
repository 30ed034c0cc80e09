import { TriggerFigures } from '../rollouts/rollback-triggers';

/** One side's figures: as measured, and at their lower 99.997 % confidence bound (what a "larger than" must clear). */
export interface SignalFigures {
  point: TriggerFigures;
  lower: TriggerFigures;
}

/**
 * One-sided 99.997 %: an A/A canary of a few dozen requests does not read as twice its stable
 * side's rate, even evaluated every second for hours (the looks are many, and overlap).
 */
const Z = 4;

/** Where a gateway flush is from: one stack config of one component in one environment. */
export interface SignalSource {
  stack: string;
  environment: string;
  component: string;
  stackConfig: string;
}

/** One gateway flush of one node, as `kpi.samples` carries it metric by metric. */
export type SignalSample =
  | { metric: 'requests' | 'errors'; at: number; value: number }
  | { metric: 'latency'; at: number; bounds: readonly (number | null)[]; counts: readonly number[]; sum: number; count: number };

interface Second {
  requests: number;
  errors: number;
  latencyCount: number;
  latencySum: number;
  /** Counts per latency bound; the bounds are the gateway's, the same for every flush. */
  latencyCounts: number[];
}

const SECOND_MS = 1_000;

/**
 * The gateway's own signals, second by second, per stack config: what rollback triggers decide on
 * in seconds rather than on 10 s KPI windows. Times are the gateways' flush times, and "now" for
 * an environment is its latest flush, so a skewed clock between a gateway and this service does not
 * shift the window. Keeps `retentionMs` of history; the rest is dropped as flushes arrive.
 */
export class GatewaySignals {
  private readonly seconds = new Map<string, Map<number, Second>>();
  private readonly latest = new Map<string, number>();
  private bounds: readonly (number | null)[] = [];

  constructor(private readonly retentionMs = 300_000) {}

  add(source: SignalSource, sample: SignalSample): void {
    const second = Math.floor(sample.at / SECOND_MS) * SECOND_MS;
    const key = sourceKey(source);
    let series = this.seconds.get(key);
    if (!series) this.seconds.set(key, (series = new Map()));
    let bucket = series.get(second);
    if (!bucket) series.set(second, (bucket = { requests: 0, errors: 0, latencyCount: 0, latencySum: 0, latencyCounts: [] }));
    if (sample.metric === 'requests') bucket.requests += sample.value;
    else if (sample.metric === 'errors') bucket.errors += sample.value;
    else if (sample.metric === 'latency') {
      this.bounds = sample.bounds;
      bucket.latencyCount += sample.count;
      bucket.latencySum += sample.sum;
      sample.counts.forEach((count, index) => (bucket.latencyCounts[index] = (bucket.latencyCounts[index] ?? 0) + count));
    }
    const environment = environmentKey(source);
    const newest = Math.max(this.latest.get(environment) ?? 0, sample.at);
    this.latest.set(environment, newest);
    for (const [at] of series) {
      if (at >= newest - this.retentionMs) break;
      series.delete(at);
    }
  }

  /** The latest flush time seen in an environment, or null before any. */
  now(stack: string, environment: string): number | null {
    return this.latest.get(environmentKey({ stack, environment })) ?? null;
  }

  /**
   * The figures of the configs `pick` chooses, of one component, over the `windowMs` up to the
   * environment's latest flush (whole seconds: the second of the latest flush and those before it).
   */
  figures(where: { stack: string; environment: string; component: string }, pick: (stackConfig: string) => boolean, windowMs: number): SignalFigures {
    const total: Second = { requests: 0, errors: 0, latencyCount: 0, latencySum: 0, latencyCounts: [] };
    const now = this.now(where.stack, where.environment);
    if (now === null) return figuresOf(total, this.bounds);
    const from = Math.floor(now / SECOND_MS) * SECOND_MS - Math.max(0, Math.ceil(windowMs / SECOND_MS) - 1) * SECOND_MS;
    const prefix = `${where.stack}\u0000${where.environment}\u0000${where.component}\u0000`;
    for (const [key, series] of this.seconds) {
      if (!key.startsWith(prefix) || !pick(key.slice(prefix.length))) continue;
      for (const [at, second] of series) {
        if (at < from) continue;
        total.requests += second.requests;
        total.errors += second.errors;
        total.latencyCount += second.latencyCount;
        total.latencySum += second.latencySum;
        second.latencyCounts.forEach((count, index) => (total.latencyCounts[index] = (total.latencyCounts[index] ?? 0) + count));
      }
    }
    return figuresOf(total, this.bounds);
  }

  /** The components of an environment with a config named `stackConfig`. */
  componentsServing(stack: string, environment: string, stackConfig: string): string[] {
    const prefix = `${stack}\u0000${environment}\u0000`;
    const suffix = `\u0000${stackConfig}`;
    return [...this.seconds.keys()].filter((key) => key.startsWith(prefix) && key.endsWith(suffix)).map((key) => key.slice(prefix.length, key.length - suffix.length));
  }
}

function sourceKey(source: SignalSource): string {
  return `${source.stack}\u0000${source.environment}\u0000${source.component}\u0000${source.stackConfig}`;
}

function environmentKey(source: { stack: string; environment: string }): string {
  return `${source.stack}\u0000${source.environment}`;
}

const NO_FIGURES: TriggerFigures = { requests: 0, errorRate: null, latencyMeanMs: null, latencyP99Ms: null };

/**
 * Requests, error rate, mean and p99 latency (the upper bound of the bucket holding the 99th
 * percentile), and each at its lower confidence bound: Wilson's for the error rate, the mean less
 * z standard errors (the spread read off the histogram), and the lower edge of the bucket of the
 * quantile z standard errors below the 99th.
 */
function figuresOf(total: Second, bounds: readonly (number | null)[]): SignalFigures {
  const { requests, errors, latencyCount: count } = total;
  if (requests === 0) return { point: NO_FIGURES, lower: NO_FIGURES };
  const rate = errors / requests;
  const mean = count === 0 ? null : total.latencySum / count;
  const point = { requests, errorRate: rate, latencyMeanMs: mean, latencyP99Ms: count === 0 ? null : quantileBucket(total.latencyCounts, 0.99, (index) => bounds[index] ?? bounds[index - 1] ?? null) };
  const wilson = (rate + (Z * Z) / (2 * requests) - Z * Math.sqrt((rate * (1 - rate)) / requests + (Z * Z) / (4 * requests * requests))) / (1 + (Z * Z) / requests);
  const lowerQuantile = Math.max(0.5, 0.99 - Z * Math.sqrt((0.99 * 0.01) / Math.max(1, count)));
  const lower = {
    requests,
    errorRate: Math.max(0, wilson),
    latencyMeanMs: mean === null ? null : Math.max(0, mean - (Z * spreadOf(total.latencyCounts, bounds, mean)) / Math.sqrt(count)),
    latencyP99Ms: count === 0 ? null : quantileBucket(total.latencyCounts, lowerQuantile, (index) => (index === 0 ? 0 : (bounds[index - 1] ?? null))),
  };
  return { point, lower };
}

/** What `edge` reads off the bucket holding the quantile. */
function quantileBucket(counts: readonly number[], quantile: number, edge: (index: number) => number | null): number | null {
  const total = counts.reduce((sum, count) => sum + (count ?? 0), 0);
  const rank = Math.max(1, Math.ceil(quantile * total));
  let seen = 0;
  for (let index = 0; index < counts.length; index++) {
    seen += counts[index] ?? 0;
    if (seen >= rank) return edge(index);
  }
  return null;
}

/** The standard deviation of the latencies, each bucket's at its middle (the unbounded one at its lower edge). */
function spreadOf(counts: readonly number[], bounds: readonly (number | null)[], mean: number): number {
  let total = 0;
  let squares = 0;
  counts.forEach((count, index) => {
    if (!count) return;
    const upper = bounds[index] ?? bounds[index - 1] ?? 0;
    const lowerEdge = index === 0 ? 0 : (bounds[index - 1] ?? upper);
    const middle = (upper + lowerEdge) / 2;
    total += count;
    squares += count * (middle - mean) ** 2;
  });
  return total === 0 ? 0 : Math.sqrt(squares / total);
}
