import { mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * How long the chaos scenarios run: `quick` is the cut CI runs inside `npm test`, `full` what
 * `npm run test:chaos` runs by default. Read from STRATA_CHAOS_MODE (test/chaos/run-chaos.js sets it).
 */
export type ChaosMode = 'quick' | 'full';

export function chaosMode(): ChaosMode {
  const mode = process.env['STRATA_CHAOS_MODE'] ?? 'quick';
  if (mode !== 'quick' && mode !== 'full') {
    throw new Error(`STRATA_CHAOS_MODE must be quick or full, not '${mode}'`);
  }
  return mode;
}

/** Figures one scenario measured; the runner sums the counts and takes the worst of the rest. */
export interface ScenarioFigures {
  scenario: string;
  injected: string;
  lostEvents?: number;
  duplicateEvents?: number;
  stuck?: number;
  maxResumeSeconds?: number;
  gatewayFailedShare?: number;
  deadLettered?: number;
  heapGrowthShare?: number;
  p99Ms?: number[];
  [figure: string]: unknown;
}

export function resultsDirectory(): string {
  return process.env['STRATA_CHAOS_RESULTS'] ?? join(tmpdir(), 'strata-chaos');
}

/** Written before the spec's assertions, so a failing scenario still reports what it measured. */
export function recordFigures(figures: ScenarioFigures): void {
  const directory = resultsDirectory();
  mkdirSync(directory, { recursive: true });
  writeFileSync(join(directory, `${figures.scenario}.json`), `${JSON.stringify(figures, null, 2)}\n`);
}
