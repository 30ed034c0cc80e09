export * from './detectors';
export * from './nab';
export * from './forecast';
export * from './judge';
