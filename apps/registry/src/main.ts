import 'reflect-metadata';
import { RegistryModule, TokensService } from '@strata/registry';
import { runService } from '@strata/runtime';

void runService({
  service: 'registry',
  description: 'Components, versions, version groups, environments and the version map.',
  module: (options) => RegistryModule.register(options),
  tokens: (app) => app.get(TokensService),
});
