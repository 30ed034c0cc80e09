import type { KpiSeriesLabels } from '@strata/contracts';
import { aStackName, eventually } from '@strata/testing';
import type { PredictiveStagingTestApp } from './predictive-staging-test-app';

export const WINDOW_MS = 10_000;
export const START = Date.UTC(2026, 10, 27, 0, 0, 0);

/** Deterministic noise in [-1, 1] (a Park–Miller generator), so every run sees the same series. */
export function noise(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 16_807) % 2_147_483_647;
    return (state / 2_147_483_647) * 2 - 1;
  };
}

/** A latency series around `level` with ±1 noise: nothing an SRE would call anomalous. */
export function steadySeries(length: number, level = 100, seed = 42): number[] {
  const next = noise(seed);
  return Array.from({ length }, () => level + next());
}

/** A daily-like cycle of `period` windows with ±1 noise. */
export function seasonalSeries(length: number, period = 12, seed = 7): number[] {
  const next = noise(seed);
  return Array.from({ length }, (_, t) => 100 + 20 * Math.sin((2 * Math.PI * t) / period) + next());
}

export function aSeries(overrides: Partial<KpiSeriesLabels> = {}): KpiSeriesLabels {
  return { stack: aStackName('ps'), environment: 'production', component: 'checkout-api', stackConfig: 'checkout@1', node: 'node-1', metric: 'gateway_request_duration_ms', ...overrides };
}

/** Publishes one window per value, `WINDOW_MS` apart, and waits until the detector has judged them all. */
export async function feedWindows(sut: PredictiveStagingTestApp, seriesId: string, series: KpiSeriesLabels, values: readonly number[], firstIndex = 0): Promise<void> {
  for (const [i, value] of values.entries()) {
    await sut.publishWindow(seriesId, series, START + (firstIndex + i) * WINDOW_MS, value, WINDOW_MS);
  }
  await eventually(async () => {
    const { rows } = await sut.sql.query<{ windows_seen: number }>('SELECT windows_seen FROM staging.series WHERE series_id = $1', [seriesId]);
    expect(rows[0]?.windows_seen).toBe(firstIndex + values.length);
  }, 60_000);
}
