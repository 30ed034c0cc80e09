import { Controller, Get, Res } from '@nestjs/common';
import { HealthRegistry, Public } from '@strata/observability';
import type { Response } from 'express';
import { ConsoleHealthReport, consoleHealthOf } from './console-health';

/** The console's /health: the services' HealthController, with a `degraded` answer for a console fronting some services that are down. */
@Public()
@Controller('health')
export class ConsoleHealthController {
  constructor(private readonly health: HealthRegistry) {}

  /** Readiness: 503 only when the console can serve nothing (see consoleHealthOf). */
  @Get()
  async readiness(@Res({ passthrough: true }) response: Response): Promise<ConsoleHealthReport> {
    return withHttpStatus(response, consoleHealthOf(await this.health.report()));
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
