export * from './execution-plan';
export * from './execution-state';
