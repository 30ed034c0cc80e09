import { Inject, Injectable } from '@nestjs/common';
import { parseDuration } from '@strata/domain';
import { ROLLBACK_TUNING, RollbackTuning } from '../config/rollback-tuning';
import { CatalogRepository } from '../repositories/catalog.repository';
import { ActionsExecutor } from './actions.executor';
import { LayerExecutor, StepContext, StepProgress } from './layer-executor';

/**
 * app: Strata does not start processes; it waits until enough healthy nodes report the version
 * (heartbeat or discovery; `minReadyNodes` from the version's config, default 1). The traffic step
 * then makes the routing policy serve the group. Taking an app back runs its http/event rollback
 * actions and waits for nodes of the restored version.
 */
@Injectable()
export class AppExecutor implements LayerExecutor {
  readonly types = ['app'];

  constructor(
    private readonly catalog: CatalogRepository,
    private readonly actions: ActionsExecutor,
    @Inject(ROLLBACK_TUNING) private readonly tuning: RollbackTuning,
  ) {}

  describe(context: Pick<StepContext, 'step' | 'version' | 'restored'>): string[] {
    const target = context.step.action === 'apply' ? context.version : context.restored;
    const lines = context.step.action === 'apply' ? [] : this.actions.describe(context);
    return target ? [...lines, `wait for ${this.minReady(target.config)} healthy node(s) of ${target.component} reporting ${target.version}`] : lines;
  }

  async progress(context: StepContext): Promise<StepProgress> {
    if (context.step.action !== 'apply') {
      const actions = await this.actions.progress(context);
      if (actions.status !== 'succeeded') return actions;
    }
    const target = context.step.action === 'apply' ? context.version : context.restored;
    if (!target) return { status: 'succeeded', outcome: `${context.step.component} leaves the environment; its nodes are no longer routed` };
    const needed = this.minReady(target.config);
    const ready = await this.catalog.readyNodes(context.manager, context.execution.stack, context.execution.environment, target.component, target.version);
    if (ready.length >= needed) {
      return { status: 'succeeded', outcome: `${ready.length} healthy node(s) report ${target.component}@${target.version}: ${ready.map((node) => node.address).sort().join(', ')}` };
    }
    const timeout = this.readyTimeout(target.config);
    const waited = context.now.getTime() - (context.step.startedAt ?? context.now).getTime();
    const seen = await this.catalog.nodesOf(context.manager, context.execution.stack, context.execution.environment, target.component);
    const status = `${ready.length} of ${needed} healthy node(s) report ${target.version}${seen.length > 0 ? ` (nodes seen: ${seen.map((node) => `${node.address} ${node.discoveredVersion} ${node.health}`).join(', ')})` : ' (no node of it reports)'}`;
    if (waited > timeout) return { status: 'failed', error: `after ${Math.round(waited / 1000)} s, ${status}` };
    return { status: 'waiting', outcome: status };
  }

  private minReady(config: Record<string, unknown>): number {
    const value = config['minReadyNodes'];
    return typeof value === 'number' && Number.isInteger(value) && value >= 0 ? value : 1;
  }

  private readyTimeout(config: Record<string, unknown>): number {
    const value = config['readyTimeout'];
    const parsed = typeof value === 'string' ? parseDuration(value) : typeof value === 'number' ? value : undefined;
    return parsed ?? this.tuning.appReadyTimeoutMs;
  }
}
