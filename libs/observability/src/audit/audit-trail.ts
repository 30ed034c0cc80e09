import { Injectable, Type } from '@nestjs/common';
import { AuditCursor, AuditFilter, AuditLog, AuditRecord } from './audit-log';

/**
 * Which service's audit log records the writes of which controller. Each service module registers
 * its controllers with its own log when it starts; a process composing several services (the
 * embedded mode) reads them all, each through its own log, and merges them.
 */
@Injectable()
export class AuditTrail {
  private readonly byController = new Map<Type<unknown>, AuditLog>();
  private readonly logs = new Set<AuditLog>();

  register(log: AuditLog, controllers: readonly Type<unknown>[]): void {
    this.logs.add(log);
    for (const controller of controllers) {
      this.byController.set(controller, log);
    }
  }

  logFor(controller: Type<unknown>): AuditLog | undefined {
    return this.byController.get(controller);
  }

  get services(): string[] {
    return [...this.logs].map((log) => log.service).sort();
  }

  async page(filter: AuditFilter, limit: number, after: AuditCursor | undefined): Promise<AuditRecord[]> {
    const pages = await Promise.all([...this.logs].map((log) => log.page(filter, limit, after)));
    return pages
      .flat()
      .sort(newestFirst)
      .slice(0, limit);
  }
}

/** The one order of the audit: time, then service, then id, all descending (ids are numeric strings). */
export function newestFirst(a: AuditCursor, b: AuditCursor): number {
  return b.at.getTime() - a.at.getTime() || (a.service === b.service ? compareIds(b.id, a.id) : b.service < a.service ? -1 : 1);
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}
