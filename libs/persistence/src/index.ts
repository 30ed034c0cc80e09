export * from './data-source';
export * from './database-url';
export * from './migrate';
export * from './persistence.module';
export * from './snake-naming.strategy';
export * from './transactions';
export * from './advisory-leader';
export * from './audit';
