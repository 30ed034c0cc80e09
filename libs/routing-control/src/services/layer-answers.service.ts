import { Inject, Injectable } from '@nestjs/common';
import { EventOutbox } from '@strata/messaging';
import { EntityManager } from 'typeorm';
import { ROUTING_CONTROL_TUNING, RoutingControlTuning } from '../config/routing-control-tuning';
import { PoliciesRepository } from '../repositories/policies.repository';
import { RoutingLayersRepository } from '../repositories/routing-layers.repository';

/** A gateway that has not ACKed, NACKed or re-ACKed a resync for this long is not waited for. */
const MIN_LIVE_WINDOW_MS = 90_000;

/** The answers to execution steps' requests: once, recorded with the request, out as `routing.layers.converged`. */
@Injectable()
export class LayerAnswers {
  constructor(
    private readonly layers: RoutingLayersRepository,
    private readonly policies: PoliciesRepository,
    private readonly events: EventOutbox,
    @Inject(ROUTING_CONTROL_TUNING) private readonly tuning: RoutingControlTuning,
  ) {}

  /**
   * Answers every pending request of the stack and environment whose version the live gateways
   * settled: all of them serve it (or a later one), or one refused it. Called after each ACK/NACK.
   */
  async converge(manager: EntityManager, stack: string, environment: string): Promise<void> {
    const pending = await this.layers.pending(manager, stack, environment);
    if (pending.length === 0) return;
    const liveSince = Date.now() - Math.max(MIN_LIVE_WINDOW_MS, 3 * this.tuning.resyncMs);
    const gateways = (await this.policies.gateways(manager, stack, environment)).filter((gateway) => gateway.updatedAt.getTime() >= liveSince);
    for (const request of pending) {
      const version = request.policyVersion as number;
      const refused = gateways.find((gateway) => gateway.rejectedVersion === version);
      if (refused) {
        await this.answer(manager, request, version, 'rejected', gateways.length, `gateway ${refused.gatewayId} refused policy version ${version}: ${refused.rejectionReason ?? 'no reason given'}`);
      } else if (gateways.every((gateway) => (gateway.appliedVersion ?? 0) >= version)) {
        // Applied, since nothing refused it; but with no gateway serving the stack no request moves, which the step's outcome must say.
        const who =
          gateways.length === 0
            ? `published, but no live gateway serves ${request.stack}/${request.environment}: no traffic moves until one does (a gateway's STRATA_GATEWAY_VIRTUAL_HOSTS, or STRATA_GATEWAY_STACK and STRATA_GATEWAY_ENVIRONMENT)`
            : `ACKed by ${gateways.length} gateway(s): ${gateways.map((gateway) => gateway.gatewayId).sort().join(', ')}`;
        await this.answer(manager, request, version, 'applied', gateways.length, `policy version ${version} ${who}`);
      }
    }
  }

  async answer(manager: EntityManager, request: { requestId: string; stack: string; environment: string }, version: number | null, outcome: 'applied' | 'rejected', gateways: number, reason: string): Promise<void> {
    const { requestId, stack, environment } = request;
    await this.layers.saveRequest(manager, { requestId, stack, environment, policyVersion: version, status: outcome, reason });
    await this.events.record(manager, this.events.create('io.strata.routing.layers.converged.v1', stack, { requestId, stack, environment, version, outcome, gateways, reason: reason.slice(0, 4_000) }));
  }
}
