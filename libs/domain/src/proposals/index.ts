export * from './proposal-lifecycle';
