export * from './detectors';
export * from './nab';
