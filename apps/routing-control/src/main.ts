import 'reflect-metadata';
import { RoutingControlModule } from '@strata/routing-control';
import { runService } from '@strata/runtime';

void runService({
  service: 'routing-control',
  description: 'Routing policies, canary rollouts and gateway configuration.',
  module: (options) => RoutingControlModule.register(options),
});
