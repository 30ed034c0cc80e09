import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { HealthRegistry, Logger } from '@strata/observability';
import { DataSource } from 'typeorm';
import { migrateUnderLock } from './migrate';

export function dataSourceToken(service: string): string {
  return `strata:data-source:${service}`;
}

const LIFECYCLE_OPTIONS = 'strata:persistence:lifecycle-options';

interface LifecycleOptions {
  service: string;
  schema: string;
}

/** Opens the service's database, migrates it under the lock before anything serves, closes it last. */
@Injectable()
class DataSourceLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger: Logger;

  constructor(
    @Inject(LIFECYCLE_OPTIONS) private readonly options: LifecycleOptions,
    private readonly dataSource: DataSource,
    private readonly health: HealthRegistry,
  ) {
    this.logger = new Logger('persistence').child({ service: options.service });
  }

  async onModuleInit(): Promise<void> {
    if (!this.dataSource.isInitialized) {
      await this.dataSource.initialize();
    }
    const outcome = await migrateUnderLock(this.dataSource, this.options.schema);
    this.logger.info('database ready', { schema: outcome.schema, appliedMigrations: outcome.applied });
    this.health.register(this.options.service, 'database', () => this.dataSource.query('SELECT 1'));
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.dataSource.isInitialized) {
      await this.dataSource.destroy();
    }
  }
}

export interface PersistenceModuleOptions {
  service: string;
  schema: string;
  dataSource: DataSource;
}

/**
 * Provides a service's DataSource under its own token (`@Inject(dataSourceToken('registry'))`), so
 * several services can share one process, each with its own pool and schema.
 */
@Module({})
export class PersistenceModule {
  static forService(options: PersistenceModuleOptions): DynamicModule {
    const token = dataSourceToken(options.service);
    return {
      module: PersistenceModule,
      providers: [
        { provide: token, useValue: options.dataSource },
        { provide: LIFECYCLE_OPTIONS, useValue: { service: options.service, schema: options.schema } },
        {
          provide: DataSourceLifecycle,
          inject: [LIFECYCLE_OPTIONS, token, HealthRegistry],
          useFactory: (lifecycle: LifecycleOptions, dataSource: DataSource, health: HealthRegistry) =>
            new DataSourceLifecycle(lifecycle, dataSource, health),
        },
      ],
      exports: [token],
    };
  }
}
