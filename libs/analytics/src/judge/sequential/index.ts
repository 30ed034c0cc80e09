export * from './confidence-sequence';
export * from './rate-e-process';
export * from './sequential-judge';
