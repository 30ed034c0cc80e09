import { Inject, Injectable, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { postgresUrl } from '@strata/config';
import { HEALTH_CHECK_LATENCY_METRIC, HEALTH_CHECK_UP_METRIC } from '@strata/contracts';
import { HealthCheck, ProbeOutcome, discoveredVersionOf, parseDuration, sqlValueMatches, statusFromProbes } from '@strata/domain';
import { EventOutbox } from '@strata/messaging';
import { Logger } from '@strata/observability';
import { PeriodicTask } from '@strata/runtime';
import { AdvisoryLeader, dataSourceToken } from '@strata/persistence';
import { Client } from 'pg';
import { DataSource } from 'typeorm';
import { request } from 'undici';
import { REGISTRY_SERVICE } from '../database/registry-schema';
import { VersionMapEntryEntity } from '../entities/version-map-entry.entity';
import { RegistryTransactions } from '../repositories/transactions';
import { VersionMapService } from './version-map.service';
import { NodesService } from './nodes.service';

const TICK_MS = 1_000;
const BODY_LIMIT = 64 * 1024;
const HEALTH_CHECK_ACTOR = 'health-check';

/**
 * Runs the declared health check of every deployed component on its interval, updates node
 * health, discovered versions and the slot's status (healthy / degraded / failed). One replica
 * runs them at a time: the one holding a session advisory lock.
 */
@Injectable()
export class HealthChecksService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('health-checks').child({ service: 'registry' });
  private readonly lastRun = new Map<string, number>();
  private readonly running = new Map<string, Promise<void>>();
  private readonly rounds = new PeriodicTask(
    () => this.tick(),
    (error) => this.logger.warn('health check round failed', { reason: String(error) }),
  );
  private readonly leader: AdvisoryLeader;

  constructor(
    @Inject(dataSourceToken(REGISTRY_SERVICE)) dataSource: DataSource,
    private readonly transactions: RegistryTransactions,
    private readonly versionMap: VersionMapService,
    private readonly nodes: NodesService,
    private readonly events: EventOutbox,
  ) {
    this.leader = new AdvisoryLeader(dataSource, 'registry:health-checks');
  }

  onApplicationBootstrap(): void {
    this.rounds.start(TICK_MS);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.rounds.stop();
    await this.leader.release();
  }

  /**
   * Runs every check that is due now; resolves when they are done. A check already running is
   * left to finish, except when `force`d: then every check runs once more after the one in flight,
   * so what the caller reads afterwards reflects the world as it was when it asked.
   */
  async runDueChecks(force = false): Promise<number> {
    const slots = await this.versionMap.entriesWithHealthChecks();
    const now = Date.now();
    const due = slots.filter((slot) => {
      const interval = parseDuration((slot.componentVersion.healthCheck as HealthCheck).interval) ?? 10_000;
      return force || (!this.running.has(slot.id) && now - (this.lastRun.get(slot.id) ?? 0) >= interval);
    });
    await Promise.all(due.map((slot) => this.checkAfterRunning(slot)));
    return due.length;
  }

  private async checkAfterRunning(slot: VersionMapEntryEntity): Promise<void> {
    for (let inFlight = this.running.get(slot.id); inFlight; inFlight = this.running.get(slot.id)) {
      await inFlight;
    }
    const check = this.check(slot).finally(() => this.running.delete(slot.id));
    this.running.set(slot.id, check);
    await check;
  }

  private async tick(): Promise<void> {
    if (await this.leader.isLeader()) {
      await this.runDueChecks();
    }
  }

  private async check(slot: VersionMapEntryEntity): Promise<void> {
    this.lastRun.set(slot.id, Date.now());
    if (slot.status === 'deploying' && slot.executionId !== null) {
      return; // an execution has not applied this version yet: its health would read as done before it is
    }
    try {
      const healthCheck = slot.componentVersion.healthCheck as HealthCheck;
      const timeoutMs = parseDuration(healthCheck.timeout) ?? 2_000;
      const outcomes = 'url' in healthCheck ? await this.probeUrl(slot, healthCheck, timeoutMs) : [await this.probeSql(slot, healthCheck, timeoutMs)];
      if (outcomes.length === 0) {
        return; // an app with no node registered yet: nothing to say about its health
      }
      const status = statusFromProbes(outcomes);
      const failed = outcomes.filter((outcome) => !outcome.ok);
      const reason = failed.length === 0 ? `${outcomes.length} probe(s) passed` : failed.map((outcome) => `${outcome.target}: ${outcome.detail}`).join('; ').slice(0, 1_000);
      await this.versionMap.setStatus(slot.environment.stack.name, slot.environment.name, slot.location, slot.component.name, status, HEALTH_CHECK_ACTOR, reason);
      // After the status, and on its own: losing a round's KPIs must not lose a health change.
      await this.recordProbeKpis(slot, outcomes).catch((error: unknown) => this.logger.warn('could not record health-check KPIs', { component: slot.component.name, reason: String(error) }));
    } catch (error) {
      this.logger.warn('health check failed to run', { component: slot.component.name, reason: (error as Error).message });
    }
  }

  /**
   * Each probe's latency and result as KPI series of the component (per target), so an
   * api-contract's response time and a database's health line up with the other layers' KPIs.
   */
  private async recordProbeKpis(slot: VersionMapEntryEntity, outcomes: readonly ProbeOutcome[]): Promise<void> {
    const stack = slot.environment.stack.name;
    const labels = { stack, environment: slot.environment.name, component: slot.component.name };
    const timestamp = Date.now();
    const events = outcomes.flatMap((outcome) => {
      const node = probeTargetLabel(outcome.target);
      const series = (metric: string, value: number) =>
        this.events.create('io.strata.kpi.samples.v1', stack, { series: { ...labels, node, metric }, samples: [{ timestamp, value }] });
      return [series(HEALTH_CHECK_UP_METRIC, outcome.ok ? 1 : 0), ...(outcome.durationMs === undefined ? [] : [series(HEALTH_CHECK_LATENCY_METRIC, outcome.durationMs)])];
    });
    await this.transactions.run((manager) => this.events.record(manager, ...events));
  }

  private async probeUrl(slot: VersionMapEntryEntity, healthCheck: Extract<HealthCheck, { url: string }>, timeoutMs: number): Promise<ProbeOutcome[]> {
    const versionHeader = (slot.componentVersion.spec as { versionHeader?: string } | null)?.versionHeader;
    if (!healthCheck.url.includes('{node}')) {
      return [await this.probeHttp(healthCheck.url, healthCheck, timeoutMs, versionHeader)];
    }
    const nodes = await this.nodes.nodesOfEntry(slot);
    return Promise.all(
      nodes.map(async (node) => {
        const outcome = await this.probeHttp(healthCheck.url.replaceAll('{node}', node.address), healthCheck, timeoutMs, versionHeader);
        await this.nodes.recordProbe(node, outcome.ok, outcome.discoveredVersion, outcome.detail);
        return outcome;
      }),
    );
  }

  private async probeHttp(url: string, healthCheck: Extract<HealthCheck, { url: string }>, timeoutMs: number, versionHeader: string | undefined): Promise<ProbeOutcome> {
    const startedAt = performance.now();
    try {
      const response = await request(url, { method: 'GET', headersTimeout: timeoutMs, bodyTimeout: timeoutMs, signal: AbortSignal.timeout(timeoutMs) });
      const body = (await response.body.text()).slice(0, BODY_LIMIT);
      const durationMs = performance.now() - startedAt;
      const expectedStatus = healthCheck.expectStatus ?? 200;
      const discoveredVersion = discoveredVersionOf(response.headers, body, versionHeader);
      if (response.statusCode !== expectedStatus) {
        return { target: url, ok: false, durationMs, detail: `answered ${response.statusCode}, expected ${expectedStatus}`, ...(discoveredVersion ? { discoveredVersion } : {}) };
      }
      if (healthCheck.expect !== undefined && !body.includes(healthCheck.expect)) {
        return { target: url, ok: false, durationMs, detail: `body lacks '${healthCheck.expect}'`, ...(discoveredVersion ? { discoveredVersion } : {}) };
      }
      return { target: url, ok: true, durationMs, detail: `answered ${response.statusCode}`, ...(discoveredVersion ? { discoveredVersion } : {}) };
    } catch (error) {
      return { target: url, ok: false, detail: (error as Error).message || (error as Error).name };
    }
  }

  private async probeSql(slot: VersionMapEntryEntity, healthCheck: Extract<HealthCheck, { sql: string }>, timeoutMs: number): Promise<ProbeOutcome> {
    const variable = slot.component.target['databaseUrlFrom'];
    const target = typeof variable === 'string' ? `$${variable}` : 'database';
    const url = typeof variable === 'string' ? process.env[variable] : undefined;
    if (!url) {
      return { target, ok: false, detail: typeof variable === 'string' ? `environment variable ${variable} is not set in the registry` : 'the component names no target.databaseUrlFrom' };
    }
    // Never handed to the driver otherwise: its errors, shown in the version map, would show what another variable holds.
    if (!postgresUrl.safeParse(url).success) {
      return { target, ok: false, detail: `environment variable ${String(variable)} does not hold a postgres:// or postgresql:// URL` };
    }
    const client = new Client({ connectionString: url, connectionTimeoutMillis: timeoutMs, statement_timeout: timeoutMs, application_name: 'strata-registry-health-check' });
    const startedAt = performance.now();
    try {
      await client.connect();
      const result = await client.query({ text: healthCheck.sql, rowMode: 'array' });
      const durationMs = performance.now() - startedAt;
      const first = (result.rows[0] as unknown[] | undefined)?.[0];
      const ok = healthCheck.expect === undefined ? true : sqlValueMatches(first, healthCheck.expect);
      return { target, ok, durationMs, detail: ok ? 'query answered' : `first value ${String(first)}, expected ${String(healthCheck.expect)}` };
    } catch (error) {
      return { target, ok: false, detail: (error as Error).message };
    } finally {
      await client.end().catch(() => undefined);
    }
  }
}

/** A probe target as a series' node label: host:port of a URL (never its credentials or path), else the target as given. */
function probeTargetLabel(target: string): string {
  try {
    return new URL(target).host || target.slice(0, 255);
  } catch {
    return target.slice(0, 255);
  }
}
