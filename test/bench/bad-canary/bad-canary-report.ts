// What bench:bad-canary prints: a table per scenario against the goals, and the documented
// reaction times of Flagger and Argo Rollouts beside Strata's measured ones.

export type ScenarioName = 'errors' | 'latency';

export interface ScenarioResult {
  name: ScenarioName;
  /** The canary backend's faults from t0, as POSTed to its /_faults. */
  fault: string;
  /** Share of the warm-up requests the gateway routed to the canary (configured 10 %). */
  canaryShareBefore: number;
  /** null: not reached before the timeout. */
  secondsToZeroWeight: number | null;
  /** The last request sent after t0 that the gateway routed to the canary; null: none was. */
  secondsToLastCanaryRequest: number | null;
  requestsToCanaryAfterT0: number;
  /** Requests sent from t0 to the end of the scenario, and those of them not answered 2xx. */
  requests: number;
  failedRequests: number;
  /** Requests the load generator did not send because too many were outstanding. */
  skippedRequests: number;
  secondsToFullRollback: number | null;
  rollbackSteps: string;
  rolloutAtEnd: string;
  timeoutS: number;
}

/** Issue [T]'s goals; undefined where the issue sets none. */
export const GOALS: Record<ScenarioName, { secondsToZeroWeight: number; clientErrorShare?: number; secondsToFullRollback?: number }> = {
  errors: { secondsToZeroWeight: 5, clientErrorShare: 0.001, secondsToFullRollback: 30 },
  latency: { secondsToZeroWeight: 15 },
};

/**
 * Seconds from a bad canary to its weight being 0 with each tool's documented settings (not
 * measured here: neither runs on this machine).
 */
export const REFERENCES = [
  {
    tool: 'Flagger',
    seconds: 5 * 60,
    how: 'analysis interval 1m (default 60s) x threshold 5 failed checks',
    source:
      'docs.flagger.app/usage/how-it-works ("interval: schedule interval (default 60s)", "threshold: max number of failed metric checks before rollback"; ' +
      'the tutorials use interval 1m, threshold 5): "When the number of failed checks reaches the canary analysis threshold, the traffic is routed back to the primary, the canary is scaled to zero"',
  },
  {
    tool: 'Argo Rollouts',
    seconds: 3 * 5 * 60,
    how: 'background AnalysisRun, interval 5m, failureLimit 3',
    source:
      'argoproj.github.io/argo-rollouts/features/analysis ("Background Analysis"): success rate measured "at 5 minute intervals"; ' +
      '"If the metric is measured to be less than 95%, and there are three such measurements, the analysis is considered Failed. The failed analysis causes the Rollout to abort, setting the canary weight back to zero"',
  },
] as const;

const fixed = (value: number | null, digits: number, unit = ''): string => (value === null ? 'not reached' : `${value.toFixed(digits)}${unit}`);

function verdict(value: number | null, goal: number | undefined): string {
  if (goal === undefined) {
    return '';
  }
  return value !== null && value <= goal ? 'met' : 'NOT met';
}

function row(figure: string, measured: string, goal: number | undefined, met: string, note = ''): string {
  return `  ${figure.padEnd(38)} ${measured.padStart(12)}   ${(goal === undefined ? '-' : `<= ${goal}`).padEnd(9)} ${met.padEnd(8)}${note}`;
}

export function printScenario(result: ScenarioResult, say: (line: string) => void): void {
  const goals = GOALS[result.name];
  const share = result.requests === 0 ? null : result.failedRequests / result.requests;
  say('');
  say(`scenario ${result.name}: from t0 the canary backend has faults ${result.fault}`);
  say(`  ${'figure'.padEnd(38)} ${'measured'.padStart(12)}   ${'goal'.padEnd(9)} met?`);
  say(row('seconds from t0 to canary weight 0', fixed(result.secondsToZeroWeight, 3), goals.secondsToZeroWeight, verdict(result.secondsToZeroWeight, goals.secondsToZeroWeight), `(rollout at the end: ${result.rolloutAtEnd})`));
  say(
    row(
      '  last request routed to the canary',
      result.secondsToLastCanaryRequest === null ? 'none' : fixed(result.secondsToLastCanaryRequest, 3),
      undefined,
      '',
      `(x-strata-version or x-strata-retried-from; ${result.requestsToCanaryAfterT0} requests routed to it after t0; before t0 it took ${(result.canaryShareBefore * 100).toFixed(1)} %)`,
    ),
  );
  say(row('client error share from t0', fixed(share, 5), goals.clientErrorShare, verdict(share, goals.clientErrorShare), `(${result.failedRequests} of ${result.requests} requests not 2xx${result.skippedRequests > 0 ? `; ${result.skippedRequests} not sent: too many outstanding` : ''})`));
  say(row('seconds from t0 to full rollback', fixed(result.secondsToFullRollback, 3), goals.secondsToFullRollback, verdict(result.secondsToFullRollback, goals.secondsToFullRollback), `(rollback execution: ${result.rollbackSteps})`));
  if (result.secondsToZeroWeight === null || result.secondsToFullRollback === null) {
    say(`  (not reached: polled for ${result.timeoutS} s after t0; --timeout changes it)`);
  }
}

export function printSummary(results: Partial<Record<ScenarioName, ScenarioResult>>, say: (line: string) => void): void {
  say('');
  say('seconds from a bad canary to its weight being 0:');
  for (const result of Object.values(results)) {
    say(`  ${`Strata, this run (${result.name})`.padEnd(30)} ${fixed(result.secondsToZeroWeight, 1, ' s').padStart(12)}`);
  }
  const fastest = Object.values(results).reduce<number | null>((best, result) => (result.secondsToZeroWeight === null ? best : Math.min(best ?? Infinity, result.secondsToZeroWeight)), null);
  for (const reference of REFERENCES) {
    const ratio = fastest === null || fastest === 0 ? '' : `  (${(reference.seconds / fastest).toFixed(0)}x Strata's fastest above)`;
    say(`  ${`${reference.tool}, documented`.padEnd(30)} ${`~${reference.seconds} s`.padStart(12)}  ${reference.how}${ratio}`);
  }
  say('  sources (documented settings, not measured on this machine; both reset only the traffic, no other layer):');
  for (const reference of REFERENCES) {
    say(`    ${reference.tool}: ${reference.source}`);
  }
}
