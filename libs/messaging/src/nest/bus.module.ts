import { DynamicModule, Global, Inject, Injectable, Module, OnApplicationShutdown, OnModuleInit } from '@nestjs/common';
import { EventBus } from '../bus/event-bus';

export const EVENT_BUS = Symbol('strata:event-bus');

@Injectable()
class BusLifecycle implements OnModuleInit, OnApplicationShutdown {
  constructor(@Inject(EVENT_BUS) private readonly bus: EventBus) {}

  onModuleInit(): Promise<void> {
    return this.bus.start();
  }

  onApplicationShutdown(): Promise<void> {
    return this.bus.stop();
  }
}

/** One bus per process, shared by every service module in it. */
@Global()
@Module({})
export class BusModule {
  static forRoot(bus: EventBus): DynamicModule {
    return {
      module: BusModule,
      providers: [{ provide: EVENT_BUS, useValue: bus }, BusLifecycle],
      exports: [EVENT_BUS],
    };
  }
}
