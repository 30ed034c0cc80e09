import { AuditPageDto, AuditRecordDto } from '@strata/observability';
import { mergeAuditPages } from './audit-fan-out';

const record = (service: string, id: string, at: string): AuditRecordDto => ({
  service, id, at, principal: 'admin', role: 'admin', tokenId: null, action: 'POST /v1/stacks', target: '/v1/stacks', status: 201, params: {}, query: {}, request: null, after: null, correlationId: null,
});
const page = (items: AuditRecordDto[], nextCursor: string | null = null): AuditPageDto => ({ items, nextCursor });
const keys = (merged: AuditPageDto) => merged.items.map((item) => `${item.service}/${item.id}`);

describe(mergeAuditPages.name, () => {
  it('merges the services\' pages newest first (time, then service, then id) and cuts at the limit with a cursor', () => {
    const registry = page([record('registry', '10', '2026-12-06T10:00:03Z'), record('registry', '9', '2026-12-06T10:00:01Z')]);
    const rollback = page([record('rollback', '2', '2026-12-06T10:00:03Z'), record('rollback', '1', '2026-12-06T10:00:02Z')]);
    const sut = mergeAuditPages([registry, rollback], 3);
    expect(keys(sut)).toEqual(['rollback/2', 'registry/10', 'rollback/1']);
    // The cursor names the last row kept: every service continues after it.
    expect(JSON.parse(Buffer.from(sut.nextCursor!, 'base64url').toString('utf8'))).toEqual(['2026-12-06T10:00:02.000Z', 'rollback', '1']);
  });

  it('gives a cursor when a service has more, and none when every row fits', () => {
    const full = page([record('registry', '3', '2026-12-06T10:00:03Z')], 'more');
    expect(mergeAuditPages([full, page([])], 1).nextCursor).not.toBeNull();
    expect(mergeAuditPages([page([record('registry', '3', '2026-12-06T10:00:03Z')]), page([])], 1)).toEqual({ items: [expect.objectContaining({ id: '3' })], nextCursor: null });
    expect(mergeAuditPages([page([]), page([])], 50)).toEqual({ items: [], nextCursor: null });
  });
});
