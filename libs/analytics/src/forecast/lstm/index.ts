export * from './lstm-model';
export * from './scaler';
export * from './smoothing';
export * from './windowing';
