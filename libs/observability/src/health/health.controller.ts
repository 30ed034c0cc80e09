import { Controller, Get, Res } from '@nestjs/common';
import { ApiOkResponse, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { Public } from '../auth/roles.decorator';
import { HealthRegistry, HealthReport } from './health-registry';

@ApiTags('operations')
@Public()
@Controller('health')
export class HealthController {
  constructor(private readonly health: HealthRegistry) {}

  @Get()
  @ApiOkResponse({ description: 'Every service in this process and its dependencies answer' })
  @ApiServiceUnavailableResponse({ description: 'At least one dependency does not answer; the body says which' })
  async readiness(@Res({ passthrough: true }) response: Response): Promise<HealthReport> {
    const report = await this.health.report();
    response.status(report.status === 'up' ? 200 : 503);
    return report;
  }

  @Get('live')
  @ApiOkResponse({ description: 'The process is running (liveness; checks no dependency)' })
  liveness(): { status: 'up' } {
    return { status: 'up' };
  }
}
