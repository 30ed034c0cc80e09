import { metricsRegistry } from '@strata/observability';
import { Counter } from 'prom-client';

/** Every outcome `strata_gateway_requests_total` counts: one label value each. */
export const REQUEST_OUTCOMES = [
  'forwarded',
  'retried-on-stable',
  'caller-aborted',
  'upstream-failed',
  'no-virtual-host',
  'no-stack-config',
  'no-healthy-node',
  'denied-by-network-policy',
  'no-route',
  'invalid-host-header',
  'invalid-request-target',
  'malformed-request',
  'request-timeout',
  'headers-too-large',
] as const;

export type RequestOutcome = (typeof REQUEST_OUTCOMES)[number];

/**
 * The stats sink of `strata_gateway_requests_total`. The request path adds to a plain typed array
 * (no label object, no hash of labels per request); a scrape folds what was counted since the last
 * one into the Prometheus counter, which is what Envoy's stats do with their thread-local counters.
 */
export class RequestOutcomes {
  private readonly pending = new Float64Array(REQUEST_OUTCOMES.length);
  private readonly index = new Map<RequestOutcome, number>(REQUEST_OUTCOMES.map((outcome, position) => [outcome, position]));

  count(outcome: RequestOutcome): void {
    this.pending[this.index.get(outcome) as number]++;
  }

  /** Adds what was counted since the last call to the counter; called at scrape time. */
  drainInto(counter: Counter<'outcome'>): void {
    for (let position = 0; position < REQUEST_OUTCOMES.length; position++) {
      const value = this.pending[position];
      if (value > 0) {
        this.pending[position] = 0;
        counter.inc({ outcome: REQUEST_OUTCOMES[position] }, value);
      }
    }
  }
}

/** One per process: every gateway in it (tests start several) counts into its own sink. */
const sinks = new Set<RequestOutcomes>();

const requestsTotal = new Counter({
  name: 'strata_gateway_requests_total',
  help: 'Requests the gateway answered, by outcome',
  labelNames: ['outcome'] as const,
  registers: [metricsRegistry],
  collect() {
    sinks.forEach((sink) => sink.drainInto(this));
  },
});

/** A sink whose counts reach `/metrics` until `release` is called. */
export function registerRequestOutcomes(): { outcomes: RequestOutcomes; release: () => void } {
  const outcomes = new RequestOutcomes();
  sinks.add(outcomes);
  return {
    outcomes,
    release: () => {
      // What was counted after the last scrape is folded in before the sink goes.
      outcomes.drainInto(requestsTotal);
      sinks.delete(outcomes);
    },
  };
}
