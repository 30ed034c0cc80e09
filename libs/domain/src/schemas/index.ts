export * from './json-schema';
export * from './routing-policy.schema';
export * from './rollout-spec.schema';
