export * from './backtest';
export * from './baselines';
export * from './lstm';
export * from './metrics';
export * from './normal';
export * from './optimize';
export * from './selection';
export type * from './types';
export * from './cross-validation';
