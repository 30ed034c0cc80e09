import { apiCall } from './api';

const WINDOW_MS = 10_000;

/** The level of the example KPI at a time: a slow wave with a little noise, as latency looks. */
const level = (time: number) => Math.round((120 + 25 * Math.sin((2 * Math.PI * time) / 300_000) + 3 * Math.sin(time / 7_300)) * 10) / 10;

/**
 * A KPI series fed through the API (POST /v1/samples) as any producer feeds it: an hour of
 * history at once (what the chart draws), then a sample every second, as live traffic would, so
 * metrics-ingest closes a window of it every 10 s and predictive-staging builds its history.
 * Answers the series' id and a stop for the live samples.
 */
export async function feedKpiSeries(api: string, labels: Record<string, string>): Promise<{ seriesId: string; stop: () => void }> {
  const now = Date.now();
  const history = Array.from({ length: 360 }, (_, index) => now - (360 - index) * WINDOW_MS + WINDOW_MS / 2).map((timestamp) => ({ timestamp, value: level(timestamp) }));
  const post = async (samples: { timestamp: number; value: number }[]) => {
    const answer = await apiCall(api, 'POST', '/v1/samples', { batches: [{ series: labels, samples }] });
    expect({ status: answer.status, body: answer.body }).toMatchObject({ status: 200 });
  };
  await post(history);
  const timer = setInterval(() => void post([{ timestamp: Date.now(), value: level(Date.now()) }]).catch(() => undefined), 1_000);
  const search = await apiCall<{ items: { id: string }[] }>(api, 'GET', `/v1/series?stack=${labels['stack']}&metric=${labels['metric']}`);
  const seriesId = search.body.items[0]?.id;
  expect(seriesId).toBeDefined();
  return { seriesId: seriesId as string, stop: () => clearInterval(timer) };
}
