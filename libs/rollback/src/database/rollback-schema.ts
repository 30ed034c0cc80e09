export const ROLLBACK_SERVICE = 'rollback';
export const ROLLBACK_SCHEMA = 'rollback';
