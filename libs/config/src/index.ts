export * from './env';
export * from './fields';
export * from './service-config';
export * from './embedded-config';
export * from './console-config';
