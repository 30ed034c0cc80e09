export * from './errors/domain-error';
export * from './stacks/names';
export * from './stacks/stack';
