export * from './free-port';
export * from './private-postgres';
export * from './service-test-app';
export * from './dead-letters';
