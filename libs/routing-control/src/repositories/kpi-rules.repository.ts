import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { KpiRuleEntity } from '../entities/kpi-rule.entity';

/** The only code touching KPI rules. */
@Injectable()
export class KpiRulesRepository {
  insert(manager: EntityManager, rule: Omit<KpiRuleEntity, 'createdAt'>): Promise<KpiRuleEntity> {
    return manager.save(manager.create(KpiRuleEntity, rule));
  }

  save(manager: EntityManager, rule: KpiRuleEntity): Promise<KpiRuleEntity> {
    return manager.save(rule);
  }

  list(manager: EntityManager, stack: string, environment: string): Promise<KpiRuleEntity[]> {
    return manager.find(KpiRuleEntity, { where: { stack, environment }, order: { name: 'ASC' } });
  }

  /** Locked: concurrent windows of one stack fold into a rule's tracking one at a time. */
  listForUpdate(manager: EntityManager, stack: string, environment: string): Promise<KpiRuleEntity[]> {
    return manager.find(KpiRuleEntity, { where: { stack, environment }, order: { name: 'ASC' }, lock: { mode: 'pessimistic_write' } });
  }

  async delete(manager: EntityManager, stack: string, environment: string, name: string): Promise<boolean> {
    const result = await manager.delete(KpiRuleEntity, { stack, environment, name });
    return (result.affected ?? 0) > 0;
  }
}
