import { BeforeApplicationShutdown, DynamicModule, Inject, Injectable, Module, OnApplicationBootstrap, OnModuleInit } from '@nestjs/common';
import { HealthRegistry } from '@strata/observability';
import { dataSourceToken } from '@strata/persistence';
import { DataSource } from 'typeorm';
import { EventBus } from '../bus/event-bus';
import { OutboxRelay } from '../outbox/outbox-relay';
import { EVENT_BUS } from './bus.module';
import { EventOutbox } from './event-outbox';
import { EventSubscriber } from './event-subscriber';
import { SERVICE_MESSAGING_OPTIONS, ServiceMessagingOptions } from './service-messaging-options';

@Injectable()
class ServiceMessagingLifecycle implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly relay: OutboxRelay;

  constructor(
    @Inject(SERVICE_MESSAGING_OPTIONS) private readonly options: ServiceMessagingOptions,
    @Inject(EVENT_BUS) private readonly bus: EventBus,
    private readonly health: HealthRegistry,
    dataSource: DataSource,
  ) {
    this.relay = new OutboxRelay({
      dataSource,
      schema: options.schema,
      bus,
      pollIntervalMs: options.outbox.pollIntervalMs,
      retentionHours: options.outbox.retentionHours,
    });
  }

  onModuleInit(): void {
    this.health.register(this.options.service, 'bus', () => this.bus.probe());
  }

  onApplicationBootstrap(): void {
    this.relay.start();
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.relay.stop();
  }
}

/**
 * A service's messaging: its outbox relay, its event outbox and subscriber. The service module
 * passes its persistence module so both share the service's DataSource.
 */
@Module({})
export class ServiceMessagingModule {
  static forService(options: ServiceMessagingOptions & { persistence: DynamicModule }): DynamicModule {
    const { persistence, ...settings } = options;
    const dataSource = { provide: DataSource, useExisting: dataSourceToken(settings.service) };
    return {
      module: ServiceMessagingModule,
      imports: [persistence],
      providers: [{ provide: SERVICE_MESSAGING_OPTIONS, useValue: settings }, dataSource, EventOutbox, EventSubscriber, ServiceMessagingLifecycle],
      exports: [EventOutbox, EventSubscriber],
    };
  }
}
