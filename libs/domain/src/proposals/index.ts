export * from './proposal-lifecycle';
export * from './index-promotion';
export * from './lb-weights';
