import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { TrafficRuleEntity } from '../entities/traffic-rule.entity';

/** The only code touching traffic rules. */
@Injectable()
export class TrafficRulesRepository {
  insert(manager: EntityManager, rule: Omit<TrafficRuleEntity, 'createdAt'>): Promise<TrafficRuleEntity> {
    return manager.save(manager.create(TrafficRuleEntity, rule));
  }

  save(manager: EntityManager, rule: TrafficRuleEntity): Promise<TrafficRuleEntity> {
    return manager.save(rule);
  }

  list(manager: EntityManager, stack: string, environment: string): Promise<TrafficRuleEntity[]> {
    return manager.find(TrafficRuleEntity, { where: { stack, environment }, order: { name: 'ASC' } });
  }

  /** Locked: concurrent windows of one stack fold into a rule's tracking one at a time. */
  listForUpdate(manager: EntityManager, stack: string, environment: string): Promise<TrafficRuleEntity[]> {
    return manager.find(TrafficRuleEntity, { where: { stack, environment }, order: { name: 'ASC' }, lock: { mode: 'pessimistic_write' } });
  }

  async delete(manager: EntityManager, stack: string, environment: string, name: string): Promise<boolean> {
    const result = await manager.delete(TrafficRuleEntity, { stack, environment, name });
    return (result.affected ?? 0) > 0;
  }
}
