export * from './trigger-spec';
export * from './gateway-signals';
export * from './trigger-decision';
export * from './confident-condition';
