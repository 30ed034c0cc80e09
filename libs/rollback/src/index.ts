export * from './database/data-source';
export * from './database/rollback-schema';
export * from './rollback.module';
