import { Controller, Get, Res } from '@nestjs/common';
import { HealthRegistry, Public } from '@strata/observability';
import type { Response } from 'express';
import { ConsoleHealthReport, consoleHealthOf } from './console-health';

const REPORT_REUSE_MS = 1_000;

/** The console's /health: the services' HealthController, with a `degraded` answer for a console fronting some services that are down. */
@Public()
@Controller('health')
export class ConsoleHealthController {
  /** The report being made, or made last and when (null while it is being made): callers share it. */
  private latest: { doneAt: number | null; report: Promise<ConsoleHealthReport> } | undefined;

  constructor(private readonly health: HealthRegistry) {}

  /** Readiness: 503 only when the console can serve nothing (see consoleHealthOf). */
  @Get()
  async readiness(@Res({ passthrough: true }) response: Response): Promise<ConsoleHealthReport> {
    return withHttpStatus(response, await this.report());
  }

  /**
   * One round of upstream probes at a time, its answer reused for a second: the endpoint is public,
   * and each call would otherwise ask every service's /health (a database query and a broker call each).
   */
  private report(): Promise<ConsoleHealthReport> {
    const latest = this.latest;
    if (latest && (latest.doneAt === null || Date.now() - latest.doneAt <= REPORT_REUSE_MS)) return latest.report;
    const made = { doneAt: null as number | null, report: this.health.report().then(consoleHealthOf) };
    void made.report.finally(() => (made.doneAt = Date.now()));
    this.latest = made;
    return made.report;
  }

  /** Liveness checks nothing behind the console: a service down must never get the console restarted. */
  @Get('live')
  liveness(): { status: 'up' } {
    return { status: 'up' };
  }
}

function withHttpStatus(response: Response, report: ConsoleHealthReport): ConsoleHealthReport {
  response.status(report.status === 'down' ? 503 : 200);
  return report;
}
