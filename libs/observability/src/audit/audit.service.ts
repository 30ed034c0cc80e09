import { Injectable } from '@nestjs/common';
import { AuditPageDto, AuditQueryDto, toAuditRecordDto } from './audit.dto';
import { decodeAuditCursor, encodeAuditCursor } from './audit-cursor';
import { AuditTrail } from './audit-trail';

@Injectable()
export class AuditService {
  constructor(private readonly trail: AuditTrail) {}

  async page(query: AuditQueryDto): Promise<AuditPageDto> {
    const after = query.after === undefined ? undefined : decodeAuditCursor(query.after);
    const filter = { principal: query.principal, action: query.action, target: query.target, since: query.since, until: query.until };
    const rows = await this.trail.page(filter, query.limit + 1, after);
    const items = rows.slice(0, query.limit);
    const last = items[items.length - 1];
    return { items: items.map(toAuditRecordDto), nextCursor: rows.length > query.limit && last ? encodeAuditCursor(last) : null };
  }
}
