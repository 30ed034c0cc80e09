export * from './rollout-spec';
export * from './rollout-state-machine';
export * from './step-numbers';
export * from './threshold-judge';
export * from './canary-routing';
export * from './traffic-rules';
export * from './rollback-triggers';
