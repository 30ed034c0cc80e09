import 'reflect-metadata';
import { RollbackModule } from '@strata/rollback';
import { runService } from '@strata/runtime';

void runService({
  service: 'rollback',
  description: 'Rollback triggers and executions across layers.',
  module: (options) => RollbackModule.register(options),
});
