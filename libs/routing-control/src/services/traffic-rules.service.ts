import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { KpiWindowV1 } from '@strata/contracts';
import { DomainError, EMPTY_LATENCY_HISTOGRAM, TrafficRule, TrafficRuleAction, IDLE_RULE_TRACKING, WindowFigures, evaluateTrafficRule, trafficRuleViolations } from '@strata/domain';
import { EntityManager } from 'typeorm';
import { TrafficRuleEntity } from '../entities/traffic-rule.entity';
import { TrafficRulesRepository } from '../repositories/traffic-rules.repository';
import { KpiWindowsRepository } from '../repositories/kpi-windows.repository';
import { isUniqueViolation } from '@strata/persistence';
import { RolloutsRepository } from '../repositories/rollouts.repository';
import { RoutingTransactions } from '../repositories/transactions';
import { RoutingPoliciesService } from './routing-policies.service';

const NO_TRAFFIC: WindowFigures = { requests: 0, errors: 0, latencyP99Ms: null, latencyMeanMs: null, latencyHistogram: EMPTY_LATENCY_HISTOGRAM };

/**
 * Traffic-shaping rules over KPI windows (the manager node): evaluated as windows arrive, acting on
 * the policy's weights. Aborting a rollout is not theirs: the rollback service watches a Rollout's
 * rollback triggers and asks routing-control for the abort.
 */
@Injectable()
export class TrafficRulesService {
  constructor(
    private readonly rules: TrafficRulesRepository,
    private readonly kpiWindows: KpiWindowsRepository,
    private readonly policies: RoutingPoliciesService,
    private readonly rollouts: RolloutsRepository,
    private readonly transactions: RoutingTransactions,
  ) {}

  async create(stack: string, environment: string, body: unknown, actor: string): Promise<TrafficRuleEntity> {
    const violations = trafficRuleViolations(body);
    if (violations.length > 0) {
      throw DomainError.invalid(`the rule has ${violations.length} violation(s)`, violations);
    }
    const rule = body as TrafficRule;
    try {
      return await this.transactions.run(async (manager) => {
        await this.policies.assertKnownEnvironment(manager, stack, environment);
        return this.rules.insert(manager, { id: randomUUID(), stack, environment, name: rule.name, rule, tracking: IDLE_RULE_TRACKING, createdBy: actor });
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw DomainError.alreadyExists('rule', `${stack}/${environment}/${rule.name}`);
      }
      throw error;
    }
  }

  list(stack: string, environment: string): Promise<TrafficRuleEntity[]> {
    return this.rules.list(this.transactions.reader, stack, environment);
  }

  async delete(stack: string, environment: string, name: string): Promise<void> {
    if (!(await this.transactions.run((manager) => this.rules.delete(manager, stack, environment, name)))) {
      throw DomainError.notFound('rule', `${stack}/${environment}/${name}`);
    }
  }

  /** Folds one arrived window into every rule of its stack and environment, in the consumer's transaction. */
  async evaluate(manager: EntityManager, window: KpiWindowV1): Promise<void> {
    const { stack, environment } = window.series;
    const rules = await this.rules.listForUpdate(manager, stack, environment);
    if (rules.length === 0) {
      return;
    }
    const policy = await this.policies.findCurrent(manager, stack, environment);
    if (!policy) {
      return;
    }
    const rollout = await this.rollouts.findActive(manager, stack, environment);
    const from = new Date(window.windowStart);
    const to = new Date(window.windowEnd);
    const canary = rollout ? await this.kpiWindows.figures(manager, { stack, environment, stackConfig: rollout.versionGroup }, from, to) : NO_TRAFFIC;
    const stable = await this.kpiWindows.figures(manager, { stack, environment, stackConfig: policy.config.stableConfig }, from, to);
    for (const entity of rules) {
      const evaluation = evaluateTrafficRule(entity.rule, entity.tracking, { canary, stable }, window.windowEnd);
      if (JSON.stringify(evaluation.tracking) !== JSON.stringify(entity.tracking)) {
        entity.tracking = evaluation.tracking;
        await this.rules.save(manager, entity);
      }
      if (evaluation.fire) {
        await this.act(manager, entity, entity.rule.action, `traffic rule ${entity.name}: ${evaluation.finding}`);
      }
    }
  }

  private async act(manager: EntityManager, entity: TrafficRuleEntity, action: TrafficRuleAction, reason: string): Promise<void> {
    const actor = `traffic-rule:${entity.name}`;
    switch (action.kind) {
      case 'setWeights':
        await this.policies.derive(
          manager,
          entity.stack,
          entity.environment,
          (config) => ({ ...config, stackConfigs: config.stackConfigs.map((stackConfig) => (stackConfig.name in action.weights ? { ...stackConfig, weight: action.weights[stackConfig.name] } : stackConfig)) }),
          reason,
          actor,
        );
        return;
      case 'ejectNode':
        // Refused when the rule is created; nothing to carry out.
        return;
    }
  }
}
