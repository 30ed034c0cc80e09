export * from './confidence-sequence';
export * from './rate-e-process';
export * from './sequential-judge';
export * from './error-rate-power';
export * from './rate-spending-test';
