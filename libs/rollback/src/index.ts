export * from './database/data-source';
export * from './database/rollback-schema';
export * from './rollback.module';
export * from './config/rollback-tuning';
export * from './services/execution-runner.service';
