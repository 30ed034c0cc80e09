export * from './events/cloud-event';
export * from './events/event-catalog';
export * from './events/event-validation';
export * from './events/kpi-events';
export * from './events/registry-events';
export * from './events/routing-events';
export * from './events/rollout-events';
export * from './topics/topics';
