import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { NodeChangedV1, Topics } from '@strata/contracts';
import { EventSubscriber } from '@strata/messaging';
import { EntityManager } from 'typeorm';
import { NodesRepository } from '../repositories/nodes.repository';
import { RoutingPoliciesService } from '../services/routing-policies.service';

/**
 * Learns the registry's nodes (`node.changed`, a snapshot per node) and, in the same transaction,
 * re-resolves the discovered nodes of the stack and environment's current policy: a node that
 * joins, leaves, changes version or health is published to gateways as the next policy version.
 */
@Injectable()
export class NodeProjectionConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly subscriber: EventSubscriber,
    private readonly nodes: NodesRepository,
    private readonly policies: RoutingPoliciesService,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.subscriber.subscribe('node-projection', [Topics.registryEvents], {
      'io.strata.registry.node.changed.v1': (event, manager) => this.apply(manager, event.data),
    });
  }

  private async apply(manager: EntityManager, node: NodeChangedV1): Promise<void> {
    const applied = await this.nodes.record(manager, {
      stack: node.stack,
      environment: node.environment,
      location: node.location,
      component: node.component,
      address: node.address,
      url: node.url,
      discoveredVersion: node.discoveredVersion,
      health: node.health,
      observedAt: new Date(node.observedAt),
    });
    if (applied && node.location === 'production') {
      await this.policies.rediscoverNodes(manager, node.stack, node.environment, node.component);
    }
  }
}
