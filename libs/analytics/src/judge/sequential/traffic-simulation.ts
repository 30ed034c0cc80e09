import type { SeededRandom } from '../seeded-random';
import type { SideWindow } from './sequential-judge';

/** A simulated window: raw latencies in arrival order on each side. */
export interface SimulatedWindow {
  readonly baseline: SimulatedSide;
  readonly canary: SimulatedSide;
}

export interface SimulatedSide extends SideWindow {
  readonly latencies: readonly number[];
}

/**
 * Simulated production traffic for the judges, with what real latency does and independent draws
 * do not: autocorrelation, a slow node, diurnal drift, an unequal split and a cold canary.
 */
export interface TrafficScenario {
  readonly name: string;
  /** Share of the requests the canary gets (0.5 = even split, 0.1 = 10/90). */
  readonly canaryShare: number;
  /** Requests of both sides per time window. */
  readonly windowRequests: number;
  /** AR(1) coefficient of each side's log latency from one request to the next (0 = independent). */
  readonly autocorrelation: number;
  /** Every window, each side is served by one node of a fleet drawn at random; one of them is slower. */
  readonly slowNode: { readonly nodes: number; readonly factor: number } | null;
  /** A sine on log latency and on the error rate, shared by both sides (a day of traffic). */
  readonly drift: { readonly amplitude: number; readonly periodWindows: number } | null;
  /** The canary's request i is slower by 1 + factor·exp(−i / requests): a cold start. */
  readonly warmUp: { readonly factor: number; readonly requests: number } | null;
  readonly baselineErrorRate: number;
  readonly canaryErrorRate: number;
  /** Canary latency over the baseline's (1.2 = 20 % slower). */
  readonly canaryLatencyFactor: number;
}

/** Latency lognormal around 120 ms with log-σ 0.5; 1 % errors; 100 requests a window, split evenly. */
export const IID_TRAFFIC: TrafficScenario = {
  name: 'iid',
  canaryShare: 0.5,
  windowRequests: 100,
  autocorrelation: 0,
  slowNode: null,
  drift: null,
  warmUp: null,
  baselineErrorRate: 0.01,
  canaryErrorRate: 0.01,
  canaryLatencyFactor: 1,
};

const MEDIAN_MS = 120;
const LOG_SIGMA = 0.5;

/** One side's state across windows: the AR(1) term and the requests it has served. */
interface SideState {
  noise: number;
  served: number;
}

/**
 * Windows of one simulated canary run until the canary has served `canaryRequests` requests. Each
 * side's log latency is `ln 120 + drift + node + warm-up + 0.5·x`, x a unit AR(1) over that side's
 * requests (stationary from the first).
 */
export function* simulateTraffic(random: SeededRandom, scenario: TrafficScenario, canaryRequests: number): Generator<SimulatedWindow> {
  const baseline: SideState = { noise: random.normal(), served: 0 };
  const canary: SideState = { noise: random.normal(), served: 0 };
  const innovation = Math.sqrt(1 - scenario.autocorrelation * scenario.autocorrelation);
  for (let window = 0; canary.served < canaryRequests; window += 1) {
    const drift = scenario.drift === null ? 0 : scenario.drift.amplitude * Math.sin((2 * Math.PI * window) / scenario.drift.periodWindows);
    let canaryCount = 0;
    for (let request = 0; request < scenario.windowRequests; request += 1) if (random.next() < scenario.canaryShare) canaryCount += 1;
    const side = (state: SideState, count: number, isCanary: boolean): SimulatedSide => {
      const node = scenario.slowNode !== null && Math.floor(random.next() * scenario.slowNode.nodes) === 0 ? Math.log(scenario.slowNode.factor) : 0;
      const level = Math.log(MEDIAN_MS) + drift + node + (isCanary ? Math.log(scenario.canaryLatencyFactor) : 0);
      const errorRate = Math.min(1, (isCanary ? scenario.canaryErrorRate : scenario.baselineErrorRate) * Math.exp(drift));
      const latencies = new Array<number>(count);
      let errors = 0;
      for (let index = 0; index < count; index += 1) {
        state.noise = scenario.autocorrelation * state.noise + innovation * random.normal();
        const warm = isCanary && scenario.warmUp !== null ? Math.log1p(scenario.warmUp.factor * Math.exp(-state.served / scenario.warmUp.requests)) : 0;
        latencies[index] = Math.exp(level + warm + LOG_SIGMA * state.noise);
        if (random.next() < errorRate) errors += 1;
        state.served += 1;
      }
      return { requests: count, errors, latencies };
    };
    yield { baseline: side(baseline, scenario.windowRequests - canaryCount, false), canary: side(canary, canaryCount, true) };
  }
}
