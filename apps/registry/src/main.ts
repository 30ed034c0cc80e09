import 'reflect-metadata';
import { RegistryModule } from '@strata/registry';
import { runService } from '@strata/runtime';

void runService({
  service: 'registry',
  description: 'Components, versions, version groups, environments and the version map.',
  module: (options) => RegistryModule.register(options),
});
