import { DynamicModule, Module } from '@nestjs/common';
import { ServiceModuleOptions } from '@strata/config';
import { serviceInfrastructure } from '@strata/messaging';
import { createPredictiveStagingDataSource } from './database/data-source';
import { PREDICTIVE_STAGING_SCHEMA, PREDICTIVE_STAGING_SERVICE } from './database/predictive-staging-schema';

/** The predictive-staging service: anomalies, forecasts and staged proposals. This slice holds its schema and messaging; detectors and forecasts come with the [A] issue. */
@Module({})
export class PredictiveStagingModule {
  static register(options: ServiceModuleOptions): DynamicModule {
    return {
      module: PredictiveStagingModule,
      imports: serviceInfrastructure({
        service: PREDICTIVE_STAGING_SERVICE,
        schema: PREDICTIVE_STAGING_SCHEMA,
        dataSource: createPredictiveStagingDataSource(options.database),
        outbox: options.outbox,
      }),
    };
  }
}
