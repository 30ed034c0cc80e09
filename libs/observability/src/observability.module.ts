import { DynamicModule, Global, Module } from '@nestjs/common';
import { DiscoveryModule } from '@nestjs/core';
import { AuditController } from './audit/audit.controller';
import { AuditCoverage } from './audit/audit-coverage';
import { AuditService } from './audit/audit.service';
import { AuditTrail } from './audit/audit-trail';
import { HealthController } from './health/health.controller';
import { HealthRegistry } from './health/health-registry';
import { MetricsController } from './metrics/metrics.controller';

/**
 * Imported once per process, by whatever composes the services (an app or the launcher): health,
 * metrics, and the audit trail every service module registers its log with.
 */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(health: HealthRegistry = new HealthRegistry()): DynamicModule {
    return {
      module: ObservabilityModule,
      imports: [DiscoveryModule],
      controllers: [HealthController, MetricsController, AuditController],
      providers: [{ provide: HealthRegistry, useValue: health }, AuditTrail, AuditService, AuditCoverage],
      exports: [HealthRegistry, AuditTrail],
    };
  }
}
