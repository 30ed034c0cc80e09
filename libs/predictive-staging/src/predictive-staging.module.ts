import { DynamicModule, Module } from '@nestjs/common';
import { ServiceModuleOptions } from '@strata/config';
import { serviceInfrastructure } from '@strata/messaging';
import type { Environment } from '@strata/config';
import { PREDICTIVE_STAGING_SETTINGS, PredictiveStagingSettings, TARGET_ENVIRONMENT } from './config/predictive-staging-settings';
import { KpiWindowsConsumer } from './consumers/kpi-windows.consumer';
import { RegistryDeploymentsConsumer } from './consumers/registry-deployments.consumer';
import { AnomaliesController } from './controllers/anomalies.controller';
import { ForecastsController } from './controllers/forecasts.controller';
import { ProposalsController } from './controllers/proposals.controller';
import { createPredictiveStagingDataSource } from './database/data-source';
import { PREDICTIVE_STAGING_SCHEMA, PREDICTIVE_STAGING_SERVICE } from './database/predictive-staging-schema';
import { AnomaliesRepository } from './repositories/anomalies.repository';
import { DeploymentsRepository } from './repositories/deployments.repository';
import { ForecastsRepository } from './repositories/forecasts.repository';
import { LstmModelsRepository } from './repositories/lstm-models.repository';
import { MirrorTrialsRepository } from './repositories/mirror-trials.repository';
import { ProposalsRepository } from './repositories/proposals.repository';
import { RetentionRepository } from './repositories/retention.repository';
import { SeriesRepository } from './repositories/series.repository';
import { PredictiveTransactions } from './repositories/transactions';
import { AnomalyDetectionService } from './services/anomaly-detection.service';
import { AppVersionProposalsService } from './services/app-version-proposals.service';
import { IndexAdviceRequestsRepository } from './repositories/index-advice-requests.repository';
import { ForecastSchedulerService } from './services/forecast-scheduler.service';
import { IndexAdviceService } from './services/index-advice.service';
import { ForecastPublication } from './services/forecast-publication.service';
import { ForecastingService } from './services/forecasting.service';
import { LbWeightsProposalsService } from './services/lb-weights-proposals.service';
import { LstmModelsService } from './services/lstm-models.service';
import { MirrorTrialsService } from './services/mirror-trials.service';
import { ObservationService } from './services/observation.service';
import { PredictiveQueriesService } from './services/predictive-queries.service';
import { OwnerApis } from './services/owner-apis';
import { PromotionService } from './services/promotion.service';
import { ProposalsService } from './services/proposals.service';
import { RetentionService } from './services/retention.service';
import { TargetDatabases } from './services/target-databases';

/**
 * The predictive-staging service: a streaming anomaly detector per KPI series (from `kpi.windows`),
 * scheduled and on-demand forecasts where the LSTM serves only if it beat the best baseline on the
 * series' backtest, models saved in PostgreSQL, anomaly and forecast events through the outbox, and
 * proposals with their lifecycle: index proposals from the advisor, app-version proposals from
 * regression anomalies (the registry's deployments learnt from its events).
 */
const CONTROLLERS = [AnomaliesController, ForecastsController, ProposalsController];

@Module({})
export class PredictiveStagingModule {
  static register(options: ServiceModuleOptions, settings: PredictiveStagingSettings, targetEnvironment: Environment = process.env): DynamicModule {
    return {
      module: PredictiveStagingModule,
      imports: serviceInfrastructure({
        service: PREDICTIVE_STAGING_SERVICE,
        schema: PREDICTIVE_STAGING_SCHEMA,
        dataSource: createPredictiveStagingDataSource(options.database),
        outbox: options.outbox,
        controllers: CONTROLLERS,
        projectTokens: true,
      }),
      controllers: CONTROLLERS,
      providers: [
        { provide: PREDICTIVE_STAGING_SETTINGS, useValue: settings },
        { provide: TARGET_ENVIRONMENT, useValue: targetEnvironment },
        PredictiveTransactions,
        SeriesRepository,
        AnomaliesRepository,
        ForecastsRepository,
        LstmModelsRepository,
        RetentionRepository,
        AnomalyDetectionService,
        LstmModelsService,
        ForecastingService,
        ForecastPublication,
        LbWeightsProposalsService,
        ForecastSchedulerService,
        PredictiveQueriesService,
        RetentionService,
        KpiWindowsConsumer,
        ProposalsRepository,
        TargetDatabases,
        ProposalsService,
        OwnerApis,
        PromotionService,
        MirrorTrialsRepository,
        MirrorTrialsService,
        DeploymentsRepository,
        RegistryDeploymentsConsumer,
        AppVersionProposalsService,
        ObservationService,
        IndexAdviceRequestsRepository,
        IndexAdviceService,
      ],
      exports: [ForecastingService, ForecastSchedulerService, LstmModelsService],
    };
  }
}
