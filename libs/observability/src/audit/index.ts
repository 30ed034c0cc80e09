export * from './audit-log';
export * from './audit-trail';
export * from './audit-body';
export * from './audit.interceptor';
export * from './audit-coverage';
export * from './audit.dto';
export { encodeAuditCursor } from './audit-cursor';
