export * from './detectors';
export * from './forecast';
export * from './judge';
