import { Client } from 'pg';
import { apiCall } from '../../e2e/support/api';

const SERIES = 4;
const SAMPLES_PER_SERIES = 50;

/**
 * KPI ingest as a collector does it during the faults: batches of samples posted to whichever
 * metrics-ingest replica answers, each batch retried (to the other replica) until one answers
 * 200. Samples are keyed by series and time, so a batch that landed before its answer was lost
 * counts once; what was acknowledged must be stored exactly once, rollups included.
 */
export class KpiWriter {
  acknowledged = 0;
  retries = 0;
  private writing = false;
  private loop: Promise<void> = Promise.resolve();
  /** Per-series sample times in ms: increasing, never reused, near now (the intake refuses far-off times). */
  private nextTime = Date.now() - 60_000;

  constructor(
    private readonly replicaUrls: () => readonly string[],
    private readonly stack: string,
  ) {}

  start(): void {
    this.writing = true;
    this.loop = this.write();
  }

  /** Stops after the batch in flight is acknowledged. */
  async stop(): Promise<void> {
    this.writing = false;
    await this.loop;
  }

  private async write(): Promise<void> {
    while (this.writing) {
      this.nextTime = Math.max(this.nextTime, Date.now() - 10_000);
      const first = this.nextTime;
      this.nextTime += SAMPLES_PER_SERIES;
      const batches = Array.from({ length: SERIES }, (_, series) => ({
        series: { stack: this.stack, environment: 'production', component: `${this.stack}-api`, node: `faults-${series}`, metric: 'chaos_queue_depth' },
        samples: Array.from({ length: SAMPLES_PER_SERIES }, (_, index) => ({ timestamp: first + index, value: index })),
      }));
      await this.post({ batches });
      this.acknowledged += SERIES * SAMPLES_PER_SERIES;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  private async post(body: unknown): Promise<void> {
    for (let attempt = 0; ; attempt += 1) {
      const urls = this.replicaUrls();
      const answer = await apiCall(urls[attempt % urls.length]!, 'POST', '/v1/samples', body).catch(() => null);
      if (answer?.status === 200) {
        return;
      }
      if (answer && answer.status < 500 && answer.status !== 429) {
        throw new Error(`POST /v1/samples answered ${answer.status}: ${JSON.stringify(answer.body)}`);
      }
      if (attempt >= 480) {
        throw new Error('no metrics-ingest replica took a batch of samples for 2 minutes');
      }
      this.retries += 1;
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** What metrics-ingest holds of this writer's samples: raw rows, and the count its 10 s and 1 m rollups add up to. */
  async stored(sql: Client): Promise<{ samples: number; rollup10s: number; rollup1m: number }> {
    const { rows } = await sql.query<{ samples: number; rollup10s: number; rollup1m: number }>(
      `WITH ours AS (SELECT id FROM metrics.series WHERE stack = $1)
       SELECT (SELECT count(*) FROM metrics.samples WHERE series_id IN (SELECT id FROM ours))::int AS samples,
              (SELECT coalesce(sum(count), 0) FROM metrics.rollups_10s WHERE series_id IN (SELECT id FROM ours))::int AS "rollup10s",
              (SELECT coalesce(sum(count), 0) FROM metrics.rollups_1m WHERE series_id IN (SELECT id FROM ours))::int AS "rollup1m"`,
      [this.stack],
    );
    return rows[0]!;
  }
}
