export * from './errors/domain-error';
export * from './stacks/names';
export * from './stacks/stack';
export * from './breaking/breaking-change';
export * from './breaking/openapi-diff';
export * from './breaking/schema-migration-lint';
export * from './manifests/manifest';
