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
    if (step.action === 'traffic') return [`route all traffic of the environment to version group ${step.toVersion} (through a canary rollout when the deploy asks for one); wait for every live gateway to ACK the policy`];
    const target = step.action === 'apply' ? step.toVersion : step.toVersion ?? 'nothing (the layer is removed)';
    return [`compile ${step.component}@${target} into the routing policy; wait for every live gateway to ACK it`];
  }

  async begin(context: StepContext): Promise<void> {
    const { execution, step } = context;
    const app = step.action === 'traffic' ? await this.appOf(context) : undefined;
    if (this.canaryOf(context) && app) {
      const component = app;
      await this.request(context, `${step.idempotencyKey}:canary`, { canary: { versionGroup: step.toVersion as string, component } });
      step.detail = { ...step.detail, requested: true, phase: 'canary', rollout: `${step.toVersion}-canary-${execution.id.slice(0, 8)}`, phaseStartedAt: context.now.getTime() };
      return;
    }
    const request: Partial<RoutingLayersRequestedV1> = {};
    if (step.action === 'traffic') {
      if (app) request.traffic = { versionGroup: step.toVersion as string, component: app };
    } else {
      const layer = this.layerOf(step.action === 'apply' ? context.version : context.restored);
      if (step.type === 'lb-rule') request.lbRule = layer;
      else request.networkPolicy = layer;
    }
    step.detail = { ...step.detail, requested: true, phaseStartedAt: context.now.getTime() };
    await this.request(context, step.idempotencyKey, request);
  }

  async progress(context: StepContext): Promise<StepProgress> {
    const { step } = context;
    if (step.action === 'traffic' && !(await this.appOf(context))) {
      return { status: 'succeeded', outcome: `version group ${step.toVersion} has no app component: no gateway routes it` };
    }
    if (!this.canaryOf(context)) return this.answered(context, step.idempotencyKey);
    switch (step.detail.phase) {
      case 'canary': {
        const listed = await this.answered(context, `${step.idempotencyKey}:canary`);
        if (listed.status !== 'succeeded') return listed;
        return this.startRollout(context);
      }
      case 'rollout':
        return this.followRollout(context);
      default:
        return this.answered(context, `${step.idempotencyKey}:traffic`);
    }
  }

  /** The canary is listed at weight 0: its rollout is asked for, exactly once (the phase moves in the same transaction). */
  private async startRollout(context: StepContext): Promise<StepProgress> {
    const { execution, step } = context;
    const rollout = step.detail.rollout as string;
    const spec = { ...(execution.canary ?? {}), environment: execution.environment, versionGroup: step.toVersion };
    await this.events.record(context.manager, this.events.create('io.strata.rollback.rollout.requested.v1', execution.stack, { requestId: `${step.idempotencyKey}:rollout`, stack: execution.stack, environment: execution.environment, rollout, spec }));
    step.detail = { ...step.detail, phase: 'rollout', phaseStartedAt: context.now.getTime() };
    return { status: 'waiting', outcome: `canary rollout ${rollout} requested` };
  }

  /** The rollout runs as long as its steps say; promoted, all traffic moves to the group; aborted, the step fails with its reason. */
  private async followRollout(context: StepContext): Promise<StepProgress> {
    const { execution, step } = context;
    const rollout = step.detail.rollout as string;
    const refused = await this.catalog.answer(context.manager, `${step.idempotencyKey}:rollout`);
    if (refused?.outcome === 'rejected') return { status: 'failed', error: refused.reason };
    const outcome = await this.catalog.rolloutOutcome(context.manager, execution.stack, rollout);
    if (!outcome) return { status: 'waiting', outcome: `canary rollout ${rollout} running` };
    if (outcome.phase !== 'promoted') return { status: 'failed', error: `canary rollout ${rollout} ${outcome.phase}: ${outcome.reason}` };
    const component = (await this.appOf(context)) as string;
    await this.request(context, `${step.idempotencyKey}:traffic`, { traffic: { versionGroup: step.toVersion as string, component } });
    step.detail = { ...step.detail, phase: 'traffic', phaseStartedAt: context.now.getTime() };
    return { status: 'waiting', outcome: `canary rollout ${rollout} promoted; moving all traffic` };
  }

  private async answered(context: StepContext, requestId: string): Promise<StepProgress> {
    const answer = await this.catalog.answer(context.manager, requestId);
    if (answer?.outcome === 'applied') return { status: 'succeeded', outcome: answer.reason };
    if (answer?.outcome === 'rejected') return { status: 'failed', error: answer.reason };
    const waited = context.now.getTime() - (context.step.detail.phaseStartedAt ?? context.step.startedAt?.getTime() ?? context.now.getTime());
    if (waited > this.tuning.routingTimeoutMs) {
      return { status: 'failed', error: `no answer from routing-control within ${this.tuning.routingTimeoutMs} ms: is routing-control running, and are the gateways ACKing?` };
    }
    return { status: 'waiting', outcome: 'waiting for the gateways to ACK the policy' };
  }

  private async request(context: StepContext, requestId: string, layers: Partial<RoutingLayersRequestedV1>): Promise<void> {
    const { execution, step } = context;
    const request: RoutingLayersRequestedV1 = {
      requestId,
      stack: execution.stack,
      environment: execution.environment,
      reason: `execution ${execution.id} step ${step.index + 1} (${step.action} ${step.component})`,
      // Published within the first half of the step's wait, or not at all: the gateways get the other half to ACK.
      notAfter: context.now.getTime() + Math.floor(this.tuning.routingTimeoutMs / 2),
      ...layers,
    };
    await this.events.record(context.manager, this.events.create('io.strata.rollback.routing.requested.v1', execution.stack, request));
  }

  /** A deploy's traffic step goes through a canary rollout when the deploy asked for one. */
  private canaryOf(context: StepContext): boolean {
    return context.step.action === 'traffic' && context.execution.kind === 'deploy' && context.execution.canary !== null;
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
