export * from './database/data-source';
export * from './database/routing-control-schema';
export * from './entities/known-stack.entity';
export * from './routing-control.module';
export * from './config/routing-control-tuning';
