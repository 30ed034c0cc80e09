/**
 * Load-balancer weights from forecasts: per node, a forecast of its load over the coming horizon
 * (and optionally of its latency), and the node's current weight. The proposed weights make every
 * node's forecast load at the peak equal, on the model that a node's load scales with its share of
 * the weight (load per unit of share stays what the forecast says): w'ₙ ∝ wₙ / loadₙ(peak).
 */

/** One method's rolling-origin backtest on the series, as the forecast keeps it. */
export interface BacktestScore {
  readonly method: string;
  readonly mase: number | null;
}

export type ForecastSkill = { readonly better: true; readonly mase: number; readonly baseline: string; readonly baselineMase: number } | { readonly better: false; readonly reason: string };

/** The forecasts that need no model: what any forecast must beat to say something about the future. */
export const NO_SKILL_BASELINES: readonly string[] = ['naive', 'seasonal-naive'];

/**
 * Whether the method serving a forecast beat its baselines on the same backtest origins (lower
 * MASE, strictly): a learnt model (`lstm`) must beat every baseline; a baseline serving must beat
 * the no-skill ones (its fellow smoothing methods may tie with it: Holt-Winters without a season is
 * Holt). A forecast no better says nothing a baseline would not, so no weights are proposed from
 * it. The reason names the baseline and both figures.
 */
export function forecastSkill(served: { readonly kind: 'lstm' | 'baseline'; readonly method: string }, backtest: readonly BacktestScore[]): ForecastSkill {
  const own = backtest.find((score) => score.method === served.method)?.mase ?? null;
  if (own === null || !Number.isFinite(own)) return { better: false, reason: `${served.method} has no backtest MASE` };
  const references = backtest.filter(
    (score): score is BacktestScore & { mase: number } =>
      score.method !== served.method && (served.kind === 'lstm' || NO_SKILL_BASELINES.includes(score.method)) && score.mase !== null && Number.isFinite(score.mase),
  );
  const best = references.reduce<(BacktestScore & { mase: number }) | null>((kept, score) => (kept === null || score.mase < kept.mase ? score : kept), null);
  if (best === null) return { better: false, reason: `${served.method} (MASE ${own.toFixed(3)}) has no baseline backtested beside it` };
  if (own >= best.mase) {
    return { better: false, reason: `${served.method} backtest MASE ${own.toFixed(3)} is no better than the baseline ${best.method} (MASE ${best.mase.toFixed(3)})` };
  }
  return { better: true, mase: own, baseline: best.method, baselineMase: best.mase };
}

export interface NodeForecast {
  readonly node: string;
  /** Forecast load (requests per step) at each step of the horizon. */
  readonly load: readonly number[];
  /** Forecast latency at each step, when one was made: evidence of the effect, not an input to the weights. */
  readonly latency?: readonly number[];
}

export interface LbWeightsInput {
  readonly nodes: readonly NodeForecast[];
  /** Current weight per node; a node missing here has weight 0 and keeps it. */
  readonly current: Readonly<Record<string, number>>;
  /** Time of the first forecast step and the time between steps (epoch ms). */
  readonly firstAt: number;
  readonly stepMs: number;
  /** The least relative spread of node loads at the peak ((max - mean) / mean) worth a change. */
  readonly minImbalance: number;
  /** The least weight any weighted node keeps, in percent: draining a node is not a weight change. */
  readonly minWeight: number;
}

export interface NodeEffect {
  readonly node: string;
  readonly currentWeight: number;
  readonly proposedWeight: number;
  readonly peakLoadBefore: number;
  readonly peakLoadAfter: number;
  readonly peakLatency: number | null;
}

export type LbWeightsOutcome =
  | { readonly proposed: true; readonly peakAt: number; readonly peakStep: number; readonly imbalance: number; readonly weights: Readonly<Record<string, number>>; readonly effect: readonly NodeEffect[] }
  | { readonly proposed: false; readonly reason: string };

/** New weights (integers summing to 100) for the coming horizon, the forecast peak and the expected effect; or why none. */
export function proposeLbWeights(input: LbWeightsInput): LbWeightsOutcome {
  const weighted = input.nodes.filter((node) => (input.current[node.node] ?? 0) > 0 && node.load.length > 0);
  if (weighted.length < 2) return { proposed: false, reason: `${weighted.length} weighted node(s) with a load forecast: weights need at least two` };
  const steps = Math.min(...weighted.map((node) => node.load.length));
  const peakStep = argMax(Array.from({ length: steps }, (_, step) => weighted.reduce((sum, node) => sum + Math.max(0, node.load[step] ?? 0), 0)));
  const peakLoads = weighted.map((node) => Math.max(0, node.load[peakStep] ?? 0));
  const mean = peakLoads.reduce((sum, load) => sum + load, 0) / peakLoads.length;
  if (mean <= 0) return { proposed: false, reason: 'no load is forecast at the peak' };
  const imbalance = (Math.max(...peakLoads) - mean) / mean;
  if (imbalance < input.minImbalance) {
    return { proposed: false, reason: `node loads at the forecast peak spread ${percent(imbalance)} above their mean, below the ${percent(input.minImbalance)} worth a change` };
  }
  const total = weighted.reduce((sum, node) => sum + (input.current[node.node] ?? 0), 0);
  const shares = weighted.map((node) => (input.current[node.node] ?? 0) / total);
  // A node forecast at no load takes the load of the mean node: nothing says what it draws per share.
  const raw = shares.map((share, i) => share / Math.max(peakLoads[i] ?? 0, mean * 1e-3));
  const proposed = floorAt(toPercent(raw), input.minWeight);
  const effect = weighted.map((node, i): NodeEffect => {
    const share = shares[i] ?? 0;
    const after = (proposed[i] ?? 0) / 100;
    return {
      node: node.node,
      currentWeight: input.current[node.node] ?? 0,
      proposedWeight: proposed[i] ?? 0,
      peakLoadBefore: round(peakLoads[i] ?? 0),
      peakLoadAfter: round(((peakLoads[i] ?? 0) * after) / share),
      peakLatency: node.latency?.[peakStep] ?? null,
    };
  });
  return { proposed: true, peakAt: input.firstAt + peakStep * input.stepMs, peakStep, imbalance: round(imbalance), weights: Object.fromEntries(effect.map((entry) => [entry.node, entry.proposedWeight])), effect };
}

function argMax(values: readonly number[]): number {
  return values.reduce((best, value, i) => (value > (values[best] ?? -Infinity) ? i : best), 0);
}

/** Positive reals → integer percents summing to 100 (largest remainder). */
function toPercent(raw: readonly number[]): number[] {
  const sum = raw.reduce((total, value) => total + value, 0);
  const exact = raw.map((value) => (value / sum) * 100);
  const floors = exact.map(Math.floor);
  let left = 100 - floors.reduce((total, value) => total + value, 0);
  const order = exact.map((value, i) => ({ i, rest: value - Math.floor(value) })).sort((a, b) => b.rest - a.rest);
  for (const { i } of order) {
    if (left <= 0) break;
    floors[i] = (floors[i] ?? 0) + 1;
    left -= 1;
  }
  return floors;
}

/** Lifts every weight to `minimum`, taking the difference from the largest weights. */
function floorAt(weights: number[], minimum: number): number[] {
  const result = weights.map((weight) => Math.max(weight, minimum));
  let excess = result.reduce((total, weight) => total + weight, 0) - 100;
  while (excess > 0) {
    const largest = argMax(result);
    const take = Math.min(excess, (result[largest] ?? 0) - minimum);
    if (take <= 0) break;
    result[largest] = (result[largest] ?? 0) - take;
    excess -= take;
  }
  return result;
}

const round = (value: number): number => Math.round(value * 100) / 100;
const percent = (value: number): string => `${Math.round(value * 100)} %`;
