import { DynamicModule, Global, Module } from '@nestjs/common';
import { HealthController } from './health/health.controller';
import { HealthRegistry } from './health/health-registry';
import { MetricsController } from './metrics/metrics.controller';

/** Imported once per process, by whatever composes the services (an app or the launcher). */
@Global()
@Module({})
export class ObservabilityModule {
  static forRoot(health: HealthRegistry = new HealthRegistry()): DynamicModule {
    return {
      module: ObservabilityModule,
      controllers: [HealthController, MetricsController],
      providers: [{ provide: HealthRegistry, useValue: health }],
      exports: [HealthRegistry],
    };
  }
}
