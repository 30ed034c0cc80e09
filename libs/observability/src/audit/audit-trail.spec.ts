import { Controller, Delete, Get, Post } from '@nestjs/common';
import { DiscoveryService, Reflector } from '@nestjs/core';
import { Public, RequireRole } from '../auth/roles.decorator';
import { AuditCoverage, writeRoutesOf } from './audit-coverage';
import { decodeAuditCursor, encodeAuditCursor } from './audit-cursor';
import { AuditCursor, AuditEntry, AuditFilter, AuditLog, AuditRecord } from './audit-log';
import { AuditTrail, newestFirst } from './audit-trail';

const at = (second: number) => new Date(Date.UTC(2026, 11, 6, 5, 0, second));

/** An audit log in memory, ordered and paged the way the PostgreSQL one is. */
class MemoryAuditLog implements AuditLog {
  readonly rows: AuditRecord[] = [];
  constructor(readonly service: string) {}
  async record(entry: AuditEntry): Promise<void> {
    this.rows.push({ ...entry, service: this.service, id: String(this.rows.length + 1) });
  }
  async page(filter: AuditFilter, limit: number, after: AuditCursor | undefined): Promise<AuditRecord[]> {
    return this.rows
      .filter((row) => (filter.principal === undefined || row.principal === filter.principal) && (after === undefined || newestFirst(after, row) < 0))
      .sort(newestFirst)
      .slice(0, limit);
  }
}

const entry = (second: number, principal = 'ci'): AuditEntry => ({
  at: at(second),
  principal,
  role: 'operator',
  tokenId: null,
  action: 'POST /v1/stacks',
  target: '/v1/stacks',
  status: 201,
  params: {},
  query: {},
  request: null,
  after: null,
  correlationId: null,
});

@RequireRole('operator')
@Controller('v1/things')
class ThingsController {
  @Get() list(): string {
    return 'things';
  }
  @Post() create(): string {
    return 'created';
  }
  @Delete(':id') remove(): string {
    return 'removed';
  }
}

@Public()
@Controller('hooks')
class HooksController {
  @Post() receive(): string {
    return 'received';
  }
}

@RequireRole('viewer')
@Controller('v1/reads')
class ReadsController {
  @Get() list(): string {
    return 'reads';
  }
}

describe('the audit trail', () => {
  it('orders rows by time, then service, then id, newest first (ids compared as numbers)', () => {
    const rows = [
      { at: at(1), service: 'registry', id: '9' },
      { at: at(2), service: 'metrics-ingest', id: '1' },
      { at: at(1), service: 'registry', id: '10' },
      { at: at(1), service: 'routing-control', id: '1' },
    ];
    expect(rows.sort(newestFirst).map((row) => `${row.service}/${row.id}`)).toEqual(['metrics-ingest/1', 'routing-control/1', 'registry/10', 'registry/9']);
  });

  it('merges the logs of every service into pages that continue where the cursor says, with nothing lost or repeated', async () => {
    const trail = new AuditTrail();
    const registry = new MemoryAuditLog('registry');
    const metrics = new MemoryAuditLog('metrics-ingest');
    trail.register(registry, [ThingsController]);
    trail.register(metrics, [ReadsController]);
    for (const second of [1, 2, 2, 5]) await registry.record(entry(second));
    for (const second of [2, 3, 4]) await metrics.record(entry(second, second === 3 ? 'bot' : 'ci'));

    const seen: string[] = [];
    let after: AuditCursor | undefined;
    for (;;) {
      const page = await trail.page({}, 2, after);
      seen.push(...page.map((row) => `${row.at.getUTCSeconds()} ${row.service} ${row.id}`));
      if (page.length < 2) break;
      after = decodeAuditCursor(encodeAuditCursor(page[page.length - 1]!));
    }
    expect(seen).toEqual(['5 registry 4', '4 metrics-ingest 3', '3 metrics-ingest 2', '2 registry 3', '2 registry 2', '2 metrics-ingest 1', '1 registry 1']);
    expect((await trail.page({ principal: 'bot' }, 10, undefined)).map((row) => row.service)).toEqual(['metrics-ingest']);
    expect(trail.logFor(ThingsController)).toBe(registry);
    expect(trail.services).toEqual(['metrics-ingest', 'registry']);
  });

  it('refuses a cursor it did not give, naming the field', () => {
    for (const text of ['x', Buffer.from('[1,2,3]').toString('base64url'), Buffer.from('["2026-01-01T00:00:00Z","registry","1 OR 1=1"]').toString('base64url')]) {
      expect(() => decodeAuditCursor(text)).toThrow(expect.objectContaining({ violations: [{ field: 'after', message: 'is not a cursor this API gave' }] }));
    }
  });

  it('lists the write routes of a controller, leaving out reads and public routes', () => {
    const reflector = new Reflector();
    expect(writeRoutesOf(ThingsController, reflector)).toEqual(['POST ThingsController.create', 'DELETE ThingsController.remove']);
    expect(writeRoutesOf(HooksController, reflector)).toEqual([]);
    expect(writeRoutesOf(ReadsController, reflector)).toEqual([]);
  });

  it('fails the start when a controller that writes belongs to no audit log, and passes once it does', () => {
    const discovery = { getControllers: () => [ThingsController, HooksController, ReadsController].map((metatype) => ({ metatype })) } as unknown as DiscoveryService;
    const trail = new AuditTrail();
    const coverage = new AuditCoverage(discovery, new Reflector(), trail);
    expect(() => coverage.onApplicationBootstrap()).toThrow('write routes without an audit log (register the controller with its service\'s log): POST ThingsController.create, DELETE ThingsController.remove');
    trail.register(new MemoryAuditLog('registry'), [ThingsController]);
    expect(() => coverage.onApplicationBootstrap()).not.toThrow();
  });
});
