import { Injectable } from '@nestjs/common';
import { NO_ROUTING_LAYERS, RoutingLayers } from '@strata/domain';
import { EntityManager } from 'typeorm';
import { LayerRequestEntity, RoutingLayersEntity } from '../entities/routing-layers.entity';

/** The only code touching the deployed routing layers and the layer requests of executions. */
@Injectable()
export class RoutingLayersRepository {
  async layers(manager: EntityManager, stack: string, environment: string): Promise<RoutingLayers> {
    return (await manager.findOneBy(RoutingLayersEntity, { stack, environment }))?.layers ?? NO_ROUTING_LAYERS;
  }

  async saveLayers(manager: EntityManager, stack: string, environment: string, layers: RoutingLayers): Promise<void> {
    await manager.upsert(RoutingLayersEntity, { stack, environment, layers: layers as never, updatedAt: new Date() }, ['stack', 'environment']);
  }

  request(manager: EntityManager, requestId: string): Promise<LayerRequestEntity | null> {
    return manager.findOneBy(LayerRequestEntity, { requestId });
  }

  async saveRequest(manager: EntityManager, request: Omit<LayerRequestEntity, 'createdAt'>): Promise<void> {
    await manager.upsert(LayerRequestEntity, { ...request, createdAt: new Date() }, ['requestId']);
  }

  pending(manager: EntityManager, stack: string, environment: string): Promise<LayerRequestEntity[]> {
    return manager.find(LayerRequestEntity, { where: { stack, environment, status: 'pending' }, order: { createdAt: 'ASC' } });
  }
}
