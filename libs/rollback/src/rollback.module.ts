import { DynamicModule, Module } from '@nestjs/common';
import { ServiceModuleOptions } from '@strata/config';
import { serviceInfrastructure } from '@strata/messaging';
import { DEFAULT_ROLLBACK_TUNING, ROLLBACK_TUNING, RollbackTuning } from './config/rollback-tuning';
import { RegistryCatalogConsumer } from './consumers/registry-catalog.consumer';
import { RoutingAnswersConsumer } from './consumers/routing-answers.consumer';
import { ExecutionsController } from './controllers/executions.controller';
import { NotificationChannelsController } from './controllers/notification-channels.controller';
import { RolloutOutcomesConsumer } from './consumers/rollout-outcomes.consumer';
import { TriggerSignalsConsumer } from './consumers/trigger-signals.consumer';
import { RollbackTriggersController } from './controllers/rollback-triggers.controller';
import { TriggersRepository } from './repositories/triggers.repository';
import { BackwardExecutions } from './services/backward-executions.service';
import { RollbackTriggersService } from './services/rollback-triggers.service';
import { TriggerFirer } from './services/trigger-firer';
import { TriggerSpecs } from './services/trigger-specs';
import { TriggerWatcher } from './services/trigger-watcher.service';
import { NotificationsRepository } from './repositories/notifications.repository';
import { NotificationSender } from './services/notification-sender.service';
import { NotificationsService } from './services/notifications.service';
import { createRollbackDataSource } from './database/data-source';
import { ROLLBACK_SCHEMA, ROLLBACK_SERVICE } from './database/rollback-schema';
import { ActionsExecutor } from './executors/actions.executor';
import { AppExecutor } from './executors/app.executor';
import { DbSchemaExecutor } from './executors/db-schema.executor';
import { LayerExecutorRegistry } from './executors/layer-executor';
import { RoutingExecutor } from './executors/routing.executor';
import { CatalogRepository } from './repositories/catalog.repository';
import { ExecutionsRepository } from './repositories/executions.repository';
import { RollbackTransactions } from './repositories/transactions';
import { ExecutionEvents } from './services/execution-events';
import { ExecutionRunner } from './services/execution-runner.service';
import { ExecutionsService } from './services/executions.service';

const CONTROLLERS = [ExecutionsController, NotificationChannelsController, RollbackTriggersController];

/** The rollback service: executions that deploy and roll back a version group across every layer, resumable after a crash, and the rollback triggers that start them. */
@Module({})
export class RollbackModule {
  static register(options: ServiceModuleOptions, tuning: Partial<RollbackTuning> = {}): DynamicModule {
    return {
      module: RollbackModule,
      imports: serviceInfrastructure({
        service: ROLLBACK_SERVICE,
        schema: ROLLBACK_SCHEMA,
        dataSource: createRollbackDataSource(options.database),
        outbox: options.outbox,
        controllers: CONTROLLERS,
        projectTokens: true,
      }),
      controllers: CONTROLLERS,
      providers: [
        { provide: ROLLBACK_TUNING, useValue: { ...DEFAULT_ROLLBACK_TUNING, ...tuning } },
        RollbackTransactions,
        ExecutionsRepository,
        CatalogRepository,
        NotificationsRepository,
        NotificationsService,
        NotificationSender,
        RolloutOutcomesConsumer,
        DbSchemaExecutor,
        RoutingExecutor,
        AppExecutor,
        ActionsExecutor,
        {
          // Executors by component type; a new type is one more executor here, the engine unchanged.
          provide: LayerExecutorRegistry,
          useFactory: (db: DbSchemaExecutor, routing: RoutingExecutor, app: AppExecutor, actions: ActionsExecutor) => new LayerExecutorRegistry([db, routing, app, actions], actions),
          inject: [DbSchemaExecutor, RoutingExecutor, AppExecutor, ActionsExecutor],
        },
        ExecutionEvents,
        ExecutionsService,
        ExecutionRunner,
        RegistryCatalogConsumer,
        RoutingAnswersConsumer,
        TriggersRepository,
        TriggerSpecs,
        TriggerFirer,
        TriggerWatcher,
        RollbackTriggersService,
        BackwardExecutions,
        TriggerSignalsConsumer,
      ],
      exports: [ExecutionRunner, ExecutionsService, TriggerWatcher, BackwardExecutions],
    };
  }
}
