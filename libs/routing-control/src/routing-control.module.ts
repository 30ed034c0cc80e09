import { DynamicModule, Module } from '@nestjs/common';
import { ServiceModuleOptions } from '@strata/config';
import { serviceInfrastructure } from '@strata/messaging';
import { StackCatalogConsumer } from './consumers/stack-catalog.consumer';
import { createRoutingControlDataSource } from './database/data-source';
import { ROUTING_CONTROL_SCHEMA, ROUTING_CONTROL_SERVICE } from './database/routing-control-schema';
import { KnownStacksRepository } from './repositories/known-stacks.repository';

/** routing-control: routing policies and rollouts (next slice) over its own catalog of stacks. */
@Module({})
export class RoutingControlModule {
  static register(options: ServiceModuleOptions): DynamicModule {
    return {
      module: RoutingControlModule,
      imports: serviceInfrastructure({
        service: ROUTING_CONTROL_SERVICE,
        schema: ROUTING_CONTROL_SCHEMA,
        dataSource: createRoutingControlDataSource(options.database),
        outbox: options.outbox,
      }),
      providers: [KnownStacksRepository, StackCatalogConsumer],
    };
  }
}
