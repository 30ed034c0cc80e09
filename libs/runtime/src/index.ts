export * from './ports';
export * from './run-service';
export * from './shutdown';
export * from './embedded-database';
export * from './periodic-task';
export * from './postgres-process';
export * from './postgres-server-user';
export * from './lstm/train-in-worker';
