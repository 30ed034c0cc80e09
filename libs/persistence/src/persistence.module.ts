import { DynamicModule, Inject, Injectable, Module, OnApplicationShutdown, OnModuleInit, Type } from '@nestjs/common';
import { AuditTrail, HealthRegistry, Logger } from '@strata/observability';
import { DataSource } from 'typeorm';
import { PostgresAuditLog } from './audit/postgres-audit-log';
import { migrateUnderLock } from './migrate';

export function dataSourceToken(service: string): string {
  return `strata:data-source:${service}`;
}

const LIFECYCLE_OPTIONS = 'strata:persistence:lifecycle-options';

interface LifecycleOptions {
  service: string;
  schema: string;
  /** The service's controllers: their accepted writes are audited in this schema's audit_log. */
  controllers: readonly Type<unknown>[];
}

/** Opens the service's database, migrates it under the lock before anything serves, closes it last. */
@Injectable()
class DataSourceLifecycle implements OnModuleInit, OnApplicationShutdown {
  private readonly logger: Logger;

  constructor(
    @Inject(LIFECYCLE_OPTIONS) private readonly options: LifecycleOptions,
    private readonly dataSource: DataSource,
    private readonly health: HealthRegistry,
    private readonly audit: AuditTrail,
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
    this.audit.register(new PostgresAuditLog(this.options.service, this.options.schema, this.dataSource), this.options.controllers);
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
  /** The service's controllers, whose accepted writes its audit_log records. */
  controllers: readonly Type<unknown>[];
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
        { provide: LIFECYCLE_OPTIONS, useValue: { service: options.service, schema: options.schema, controllers: options.controllers } },
        {
          provide: DataSourceLifecycle,
          inject: [LIFECYCLE_OPTIONS, token, HealthRegistry, AuditTrail],
          useFactory: (lifecycle: LifecycleOptions, dataSource: DataSource, health: HealthRegistry, audit: AuditTrail) =>
            new DataSourceLifecycle(lifecycle, dataSource, health, audit),
        },
      ],
      exports: [token],
    };
  }
}
