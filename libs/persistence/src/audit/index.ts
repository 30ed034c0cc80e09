export * from './audit-table';
export * from './postgres-audit-log';
