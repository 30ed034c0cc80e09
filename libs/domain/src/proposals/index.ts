export * from './proposal-lifecycle';
export * from './index-promotion';
export * from './lb-weights';
export * from './lb-weights-promotion';
