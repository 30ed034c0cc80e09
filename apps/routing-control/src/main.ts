import 'reflect-metadata';
import { loadConfigOrExit } from '@strata/config';
import { RoutingControlModule, readRoutingControlTuning } from '@strata/routing-control';
import { runService } from '@strata/runtime';

void runService({
  service: 'routing-control',
  description: 'Routing policies, canary rollouts and gateway configuration.',
  module: (options) => RoutingControlModule.register(options, loadConfigOrExit(() => readRoutingControlTuning(), 'strata-routing-control')),
});
