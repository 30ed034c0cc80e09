import { BusConfig } from '@strata/config';
import { EventBus } from './event-bus';
import { InMemoryEventBus } from './in-memory-event-bus';
import { KafkaEventBus } from './kafka-event-bus';

export function createEventBus(config: BusConfig): EventBus {
  switch (config.transport) {
    case 'memory':
      return new InMemoryEventBus(config.partitions);
    case 'kafka':
      return new KafkaEventBus(config);
  }
}
