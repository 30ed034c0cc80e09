import 'reflect-metadata';
import { loadConfigOrExit } from '@strata/config';
import { RollbackModule, readRollbackTuning } from '@strata/rollback';
import { runService } from '@strata/runtime';

void runService({
  service: 'rollback',
  description: 'Rollback triggers and executions across layers.',
  module: (options) => RollbackModule.register(options, loadConfigOrExit(() => readRollbackTuning(), 'strata-rollback')),
});
