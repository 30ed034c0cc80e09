import { DomainError } from '@strata/domain';
import { AuditCursor } from './audit-log';

/** A page cursor names the last row of the previous page: its time, service and id. */
export function encodeAuditCursor(cursor: AuditCursor): string {
  return Buffer.from(JSON.stringify([cursor.at.toISOString(), cursor.service, cursor.id])).toString('base64url');
}

export function decodeAuditCursor(text: string): AuditCursor {
  try {
    const [at, service, id] = JSON.parse(Buffer.from(text, 'base64url').toString('utf8')) as unknown[];
    const when = new Date(String(at));
    if (typeof at === 'string' && !Number.isNaN(when.getTime()) && typeof service === 'string' && typeof id === 'string' && /^\d{1,19}$/.test(id)) {
      return { at: when, service, id };
    }
  } catch {
    // Falls through to the one error below: whatever was wrong, it is not a cursor this API gave.
  }
  throw DomainError.invalid('after must be the nextCursor of a previous page', [{ field: 'after', message: 'is not a cursor this API gave' }]);
}
