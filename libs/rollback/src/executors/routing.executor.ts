import { Inject, Injectable } from '@nestjs/common';
import { RoutingLayersRequestedV1 } from '@strata/contracts';
import { EventOutbox } from '@strata/messaging';
import { ROLLBACK_TUNING, RollbackTuning } from '../config/rollback-tuning';
import { CatalogVersionEntity } from '../entities/catalog.entity';
import { CatalogRepository } from '../repositories/catalog.repository';
import { LayerExecutor, StepContext, StepProgress } from './layer-executor';

/**
 * lb-rule, network-policy and traffic steps: routing-control derives the stack's routing policy
 * from the deployed layers and pushes it; the step completes when every live gateway ACKs that
 * policy version, and fails with the gateway's reason on a NACK. The request goes out through the
 * outbox in the transaction that starts the step, keyed by the step's idempotency key, so it is
 * sent once and answered once however often the step is resumed.
 */
@Injectable()
export class RoutingExecutor implements LayerExecutor {
  readonly types = ['lb-rule', 'network-policy', 'traffic'];

  constructor(
    private readonly catalog: CatalogRepository,
    private readonly events: EventOutbox,
    @Inject(ROLLBACK_TUNING) private readonly tuning: RollbackTuning,
  ) {}

  describe(context: Pick<StepContext, 'step' | 'version' | 'restored'>): string[] {
    const { step } = context;
    if (step.action === 'traffic') return [`route all traffic of the environment to version group ${step.toVersion}; wait for every live gateway to ACK the policy`];
    const target = step.action === 'apply' ? step.toVersion : step.toVersion ?? 'nothing (the layer is removed)';
    return [`compile ${step.component}@${target} into the routing policy; wait for every live gateway to ACK it`];
  }

  async begin(context: StepContext): Promise<void> {
    const { execution, step } = context;
    const request: RoutingLayersRequestedV1 = {
      requestId: step.idempotencyKey,
      stack: execution.stack,
      environment: execution.environment,
      reason: `execution ${execution.id} step ${step.index + 1} (${step.action} ${step.component})`,
    };
    if (step.action === 'traffic') {
      const component = await this.appOf(context);
      if (component) request.traffic = { versionGroup: step.toVersion as string, component };
    } else {
      const layer = this.layerOf(step.action === 'apply' ? context.version : context.restored);
      if (step.type === 'lb-rule') request.lbRule = layer;
      else request.networkPolicy = layer;
    }
    context.step.detail = { ...context.step.detail, requested: true };
    await this.events.record(context.manager, this.events.create('io.strata.rollback.routing.requested.v1', execution.stack, request));
  }

  async progress(context: StepContext): Promise<StepProgress> {
    if (context.step.action === 'traffic' && !(await this.appOf(context))) {
      return { status: 'succeeded', outcome: `version group ${context.step.toVersion} has no app component: no gateway routes it` };
    }
    const answer = await this.catalog.answer(context.manager, context.step.idempotencyKey);
    if (answer?.outcome === 'applied') return { status: 'succeeded', outcome: answer.reason };
    if (answer?.outcome === 'rejected') return { status: 'failed', error: answer.reason };
    const waited = context.now.getTime() - (context.step.startedAt ?? context.now).getTime();
    if (waited > this.tuning.routingTimeoutMs) {
      return { status: 'failed', error: `no answer from routing-control within ${this.tuning.routingTimeoutMs} ms: is routing-control running, and are the gateways ACKing?` };
    }
    return { status: 'waiting', outcome: 'waiting for the gateways to ACK the policy' };
  }

  private layerOf(version: CatalogVersionEntity | null): RoutingLayersRequestedV1['lbRule'] {
    return version ? { component: version.component, version: version.version, spec: version.spec as Record<string, unknown> } : null;
  }

  /** The app component of the group taking traffic: the one its gateway fronts. */
  private async appOf(context: StepContext): Promise<string | undefined> {
    const group = await this.catalog.group(context.manager, context.execution.stack, context.step.toVersion as string);
    const versions = await this.catalog.versions(context.manager, context.execution.stack, group?.members ?? []);
    return [...versions.values()].filter((version) => version.type === 'app').map((version) => version.component).sort()[0];
  }
}
