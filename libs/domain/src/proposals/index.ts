export * from './proposal-lifecycle';
export * from './index-promotion';
