export * from './execution-plan';
export * from './execution-state';
export * from './schema-migration';
