export * from './eventually';
export * from './factories';
export * from './kafka';
export * from './postgres';
export * from './http';
