export * from './gateway';
export * from './gateway-config';
