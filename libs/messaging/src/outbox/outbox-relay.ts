import { Logger, metricsRegistry } from '@strata/observability';
import { leaderLockKey } from '@strata/persistence';
import { Client } from 'pg';
import { Counter, Gauge } from 'prom-client';
import { DataSource } from 'typeorm';
import { EventBus } from '../bus/event-bus';
import { BackoffPolicy, backoffDelay, sleep } from '../processing/backoff';
import { InboxRepository } from '../inbox/inbox.repository';
import { OUTBOX_CHANNEL, OutboxRepository } from './outbox.repository';

export interface OutboxRelayOptions {
  dataSource: DataSource;
  schema: string;
  bus: EventBus;
  /** Fallback polling when no NOTIFY arrives (listener reconnecting, another replica's commit). */
  pollIntervalMs: number;
  retentionHours: number;
  inboxRetentionDays?: number;
  batchSize?: number;
}

const published = new Counter({
  name: 'strata_outbox_published_total',
  help: 'Events published from the outbox, by schema',
  labelNames: ['schema'] as const,
  registers: [metricsRegistry],
});

const backlogGauge = new Gauge({
  name: 'strata_outbox_backlog',
  help: 'Outbox events not yet published, by schema (sampled at housekeeping)',
  labelNames: ['schema'] as const,
  registers: [metricsRegistry],
});

const HOUSEKEEPING_INTERVAL_MS = 60_000;
const FAILURE_BACKOFF: BackoffPolicy = { initialMs: 250, maxMs: 15_000 };

/**
 * Publishes a schema's outbox in commit order, marks rows published, prunes old ones.
 * Publishing and marking share one transaction holding a per-schema advisory lock, so replicas
 * never publish the same rows concurrently; a crash between publish and commit republishes,
 * which consumers absorb through their inbox (at-least-once).
 */
export class OutboxRelay {
  private readonly logger: Logger;
  private readonly outbox: OutboxRepository;
  private readonly inbox: InboxRepository;
  private readonly lockKey: string;
  private readonly stopping = new AbortController();
  private wake: (() => void) | undefined;
  /** A commit notified while a batch was in flight: poll again before idling. */
  private notified = false;
  private loop: Promise<void> | undefined;
  private listener: Client | undefined;
  private housekeepingTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: OutboxRelayOptions) {
    this.logger = new Logger('outbox').child({ schema: options.schema });
    this.outbox = new OutboxRepository(options.schema);
    this.inbox = new InboxRepository(options.schema);
    this.lockKey = leaderLockKey(`${options.schema}:outbox-relay`);
  }

  start(): void {
    this.loop = this.run();
    void this.listen();
    this.housekeepingTimer = setInterval(() => void this.housekeeping(), HOUSEKEEPING_INTERVAL_MS);
    this.housekeepingTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopping.abort();
    this.wake?.();
    clearInterval(this.housekeepingTimer);
    await this.loop;
    await this.listener?.end().catch(() => undefined);
  }

  /** Publishes everything pending now; returns how many events left. */
  async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      const count = await this.publishBatch();
      total += count;
      if (count === 0) {
        return total;
      }
    }
  }

  private async run(): Promise<void> {
    let failures = 0;
    while (!this.stopping.signal.aborted) {
      try {
        const count = await this.publishBatch();
        failures = 0;
        if (count === (this.options.batchSize ?? 500) || this.stopping.signal.aborted) {
          continue;
        }
        await this.idle(this.options.pollIntervalMs);
      } catch (error) {
        failures += 1;
        this.logger.warn('publishing the outbox failed; will retry', { attempt: failures, reason: (error as Error).message });
        await sleep(backoffDelay(failures, FAILURE_BACKOFF), this.stopping.signal);
      }
    }
  }

  /** Waits for a NOTIFY, the poll interval or stop(); stop() during a batch must not wait out a whole interval. */
  private idle(ms: number): Promise<void> {
    if (this.notified || this.stopping.signal.aborted) {
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const done = (): void => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
      const timer = setTimeout(done, ms);
      this.wake = done;
    });
  }

  private async publishBatch(): Promise<number> {
    this.notified = false;
    return this.options.dataSource.transaction(async (manager) => {
      if (!(await this.outbox.tryLeadership(manager, this.lockKey))) {
        return 0;
      }
      const rows = await this.outbox.pending(manager, this.options.batchSize ?? 500);
      if (rows.length === 0) {
        return 0;
      }
      await this.options.bus.publish(
        rows.map((row) => ({
          topic: row.topic,
          key: row.messageKey,
          value: JSON.stringify(row.event),
          headers: { 'content-type': 'application/cloudevents+json', ce_id: row.event.id, ce_type: row.event.type },
        })),
      );
      await this.outbox.markPublished(manager, rows.map((row) => row.seq));
      published.inc({ schema: this.options.schema }, rows.length);
      return rows.length;
    });
  }

  /** LISTEN on a connection of its own; on loss, polling covers until it reconnects. */
  private async listen(): Promise<void> {
    const url = (this.options.dataSource.options as { url?: string }).url;
    if (!url || this.stopping.signal.aborted) {
      return;
    }
    const client = new Client({ connectionString: url, application_name: `strata-${this.options.schema}-outbox-listener` });
    client.on('notification', (notification) => {
      if (notification.payload === this.options.schema) {
        this.notified = true;
        this.wake?.();
      }
    });
    client.on('error', (error) => {
      this.logger.warn('outbox listener lost its connection; polling until it reconnects', { reason: error.message });
      void client.end().catch(() => undefined);
      this.listener = undefined;
      void sleep(5_000, this.stopping.signal).then(async (slept) => {
        if (slept) {
          await this.listen();
        }
      });
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${OUTBOX_CHANNEL}`);
      this.listener = client;
    } catch (error) {
      client.removeAllListeners('error');
      await client.end().catch(() => undefined);
      this.logger.warn('outbox listener could not connect; polling until it can', { reason: (error as Error).message });
      if (await sleep(5_000, this.stopping.signal)) {
        void this.listen();
      }
    }
  }

  private async housekeeping(): Promise<void> {
    try {
      const manager = this.options.dataSource.manager;
      const pruned = await this.outbox.prunePublished(manager, this.options.retentionHours);
      const forgotten = await this.inbox.pruneOlderThan(manager, this.options.inboxRetentionDays ?? 14);
      backlogGauge.set({ schema: this.options.schema }, await this.outbox.backlog(manager));
      if (pruned + forgotten > 0) {
        this.logger.info('pruned messaging tables', { outboxRows: pruned, inboxRows: forgotten });
      }
    } catch (error) {
      this.logger.warn('outbox housekeeping failed', { reason: (error as Error).message });
    }
  }
}
