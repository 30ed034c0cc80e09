export * from './config/predictive-staging-settings';
export * from './database/data-source';
export * from './database/predictive-staging-schema';
export * from './predictive-staging.module';
