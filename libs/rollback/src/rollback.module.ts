import { DynamicModule, Module } from '@nestjs/common';
import { ServiceModuleOptions } from '@strata/config';
import { serviceInfrastructure } from '@strata/messaging';
import { createRollbackDataSource } from './database/data-source';
import { ROLLBACK_SCHEMA, ROLLBACK_SERVICE } from './database/rollback-schema';

/** The rollback service: triggers and executions across layers. This slice holds its schema and messaging. */
@Module({})
export class RollbackModule {
  static register(options: ServiceModuleOptions): DynamicModule {
    return {
      module: RollbackModule,
      imports: serviceInfrastructure({
        service: ROLLBACK_SERVICE,
        schema: ROLLBACK_SCHEMA,
        dataSource: createRollbackDataSource(options.database),
        outbox: options.outbox,
        controllers: [],
        projectTokens: true,
      }),
    };
  }
}
