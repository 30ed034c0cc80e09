import { AA_SCENARIOS, errorRatePowerBound, REGRESSION_SCENARIOS, type ScenarioResult, simulateScenario, unbiasedErrorRatePower } from '@strata/analytics';
import { UsageError } from './eval-nab';

export { UsageError } from './eval-nab';

export const EVAL_JUDGE_USAGE = `usage: npm run eval:judge -- [--runs <n>] [--quick] [--json]

  Seeded simulations of the canary judges over traffic with autocorrelation, a slow node, diurnal
  drift, a 10/90 split and a cold canary (A/A), and with twice the error rate or 20 % more latency.
  The sequential judge watches every window up to 5,000 canary requests; the fixed-sample judge
  (what rollouts call today) is run once at 1,000.

  --runs <n>   runs per scenario (default 2000)
  --quick      300 runs per scenario, for iterating
  --json       end with one JSON line: maxAAFalseFail, power2xErrorsAt1000, medianRequestsToVerdict, …
`;


export interface EvalJudgeArgs {
  readonly runs: number;
  readonly json: boolean;
}

export function parseEvalJudgeArgs(argv: readonly string[]): EvalJudgeArgs {
  let runs = 2000;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    if (argument === '--json') json = true;
    else if (argument === '--quick') runs = 300;
    else if (argument === '--runs' || argument.startsWith('--runs=')) {
      const value = argument.startsWith('--runs=') ? argument.slice('--runs='.length) : argv[++i];
      runs = Number(value);
      if (!Number.isInteger(runs) || runs < 1) throw new UsageError(`--runs needs a positive integer, got '${value ?? ''}'`);
    } else throw new UsageError(`unknown argument '${argument}'`);
  }
  return { runs, json };
}

const CHECKPOINTS = [500, 1000, 5000] as const;
const FIXED_AT = 1000;

export interface EvalJudgeReport {
  readonly aa: readonly ScenarioResult[];
  readonly regressions: readonly ScenarioResult[];
  readonly summary: Record<string, unknown>;
}

/** Runs every scenario (seeded: the same figures on every run) and writes the report. */
export function runEvalJudge(args: EvalJudgeArgs, write: (text: string) => void): EvalJudgeReport {
  const options = (seed: number) => ({ runs: args.runs, seed, checkpoints: CHECKPOINTS, fixedAt: FIXED_AT });
  write(`Canary judges over simulated traffic, ${args.runs} seeded runs per scenario\n`);
  write(`A/A (same version both sides): false-fail rate of the sequential judge watching every window to 5,000 canary requests | of the fixed-sample judge at ${FIXED_AT}\n`);
  const aa = AA_SCENARIOS.map((scenario, index) => {
    const result = simulateScenario(scenario, options(1000 + index));
    write(`  ${scenario.name.padEnd(48)} ${percent(result.failBy[5000] ?? 0)} (latency ${percent(result.failedOn.latency)}, errors ${percent(result.failedOn.errors)})  |  ${percent(result.fixedFail ?? 0)}\n`);
    return result;
  });
  write(`Regressions: share failed by 500 / 1,000 / 5,000 canary requests (sequential) | fixed-sample judge at ${FIXED_AT}; median requests to the fail\n`);
  const regressions = REGRESSION_SCENARIOS.map((scenario, index) => {
    const result = simulateScenario(scenario, options(2000 + index));
    const power = CHECKPOINTS.map((checkpoint) => percent(result.failBy[checkpoint] ?? 0)).join(' / ');
    write(`  ${scenario.name.padEnd(48)} ${power}  |  ${percent(result.fixedFail ?? 0)}; median ${result.medianRequestsToFail ?? 'none'}\n`);
    return result;
  });
  const [errors, latency] = regressions;
  const bound = errorRatePowerBound(FIXED_AT, 0.01, 2, 0.01);
  const unbiased = unbiasedErrorRatePower(FIXED_AT, 0.01, 2, 0.01);
  write(`  best power for errors 2× at ${FIXED_AT} a side, one look at level 1 %: ${percent(unbiased)} (most powerful unbiased test, both rates unknown); ${percent(bound)} if the baseline rate were known exactly\n`);
  const summary = {
    runs: args.runs,
    maxAAFalseFail: round(Math.max(...aa.map((result) => result.failBy[5000] ?? 0))),
    maxAAFalseFailFixed: round(Math.max(...aa.map((result) => result.fixedFail ?? 0))),
    aaFalseFail: Object.fromEntries(aa.map((result) => [result.scenario, round(result.failBy[5000] ?? 0)])),
    power2xErrorsAt500: round(errors?.failBy[500] ?? 0),
    power2xErrorsAt1000: round(errors?.failBy[1000] ?? 0),
    power2xErrorsAt5000: round(errors?.failBy[5000] ?? 0),
    power2xErrorsAt1000Fixed: round(errors?.fixedFail ?? 0),
    power2xErrorsAt1000Bound: round(unbiased),
    power2xErrorsAt1000BoundKnownBaseline: round(bound),
    powerLatency20At500: round(latency?.failBy[500] ?? 0),
    powerLatency20At1000: round(latency?.failBy[1000] ?? 0),
    powerLatency20At5000: round(latency?.failBy[5000] ?? 0),
    powerLatency20At1000Fixed: round(latency?.fixedFail ?? 0),
    medianRequestsToVerdict: { errors2x: errors?.medianRequestsToVerdict ?? null, latency20: latency?.medianRequestsToVerdict ?? null },
  };
  if (args.json) write(`${JSON.stringify(summary)}\n`);
  return { aa, regressions, summary };
}

function percent(value: number): string {
  return `${(100 * value).toFixed(2).padStart(6)} %`;
}

function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}
