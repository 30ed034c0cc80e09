import { DynamicModule, Module } from '@nestjs/common';
import { ServiceModuleOptions } from '@strata/config';
import { serviceInfrastructure } from '@strata/messaging';
import { StacksController } from './controllers/stacks.controller';
import { createRegistryDataSource } from './database/data-source';
import { REGISTRY_SCHEMA, REGISTRY_SERVICE } from './database/registry-schema';
import { StacksRepository } from './repositories/stacks.repository';
import { StacksService } from './services/stacks.service';

/** The registry: stacks and environments now; components, versions and the version map next. */
@Module({})
export class RegistryModule {
  static register(options: ServiceModuleOptions): DynamicModule {
    return {
      module: RegistryModule,
      imports: serviceInfrastructure({
        service: REGISTRY_SERVICE,
        schema: REGISTRY_SCHEMA,
        dataSource: createRegistryDataSource(options.database),
        outbox: options.outbox,
      }),
      controllers: [StacksController],
      providers: [StacksService, StacksRepository],
    };
  }
}
