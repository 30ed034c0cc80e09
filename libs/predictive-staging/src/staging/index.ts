export * from './catalog-ddl';
export * from './connections';
export * from './measure-candidate';
export * from './plan-summary';
export * from './production-catalog';
export * from './staging-copy';
export * from './tables-touched';
export * from './validation-rule';
