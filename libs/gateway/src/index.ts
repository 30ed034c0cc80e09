export * from './gateway';
export * from './gateway-config';
export * from './last-known-good-store';
export * from './routing-policy-update';
export { type ConnectionLimits, DEFAULT_CONNECTION_LIMITS } from './http-listener';
export * from './gateway-supervisor';
export { GatewayWorker, type GatewayWorkerOptions } from './gateway-worker';
