import { Injectable } from '@nestjs/common';
import { RollbackTriggerSpec, parseRollbackTrigger, rollbackTriggerViolations } from '@strata/domain';
import { Logger } from '@strata/observability';
import { RollbackTriggerEntity } from '../entities/trigger.entity';

/** Triggers' stored bodies parsed once per version; one that no longer parses (a stricter release) is skipped and said so once. */
@Injectable()
export class TriggerSpecs {
  private readonly logger = new Logger('rollback-triggers').child({ service: 'rollback' });
  private readonly parsed = new Map<string, { updatedAt: number; spec: RollbackTriggerSpec | null }>();

  of(trigger: RollbackTriggerEntity): RollbackTriggerSpec | null {
    const held = this.parsed.get(trigger.id);
    if (held && held.updatedAt === trigger.updatedAt.getTime()) return held.spec;
    const violations = rollbackTriggerViolations(trigger.spec);
    const spec = violations.length === 0 ? parseRollbackTrigger(trigger.spec) : null;
    if (!spec) this.logger.error('a stored rollback trigger does not parse; it is not watched', undefined, { trigger: trigger.name, violations });
    this.parsed.set(trigger.id, { updatedAt: trigger.updatedAt.getTime(), spec });
    return spec;
  }
}
