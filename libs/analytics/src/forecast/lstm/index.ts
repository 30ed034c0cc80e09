export * from './lstm-model';
export * from './scaler';
export * from './smoothing';
export * from './train-in-worker';
export * from './windowing';
