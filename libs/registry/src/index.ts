export * from './database/data-source';
export * from './database/registry-schema';
export * from './registry.module';
export * from './services/tokens.service';
