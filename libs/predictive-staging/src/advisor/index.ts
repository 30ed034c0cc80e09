export * from './candidates';
export * from './index-advisor';
export * from './query-shape';
