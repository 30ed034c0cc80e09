import { RoutingLayers } from '@strata/domain';
import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What executions deployed of a stack's routing in one environment. */
@Entity({ name: 'routing_layers' })
export class RoutingLayersEntity {
  @PrimaryColumn({ type: 'text' }) stack!: string;
  @PrimaryColumn({ type: 'text' }) environment!: string;
  @Column({ type: 'jsonb' }) layers!: RoutingLayers;
  @Column({ type: 'timestamptz' }) updatedAt!: Date;
}

/** A routing request of an execution step, answered once: the policy version it made and whether gateways took it. */
@Entity({ name: 'layer_requests' })
export class LayerRequestEntity {
  @PrimaryColumn({ type: 'text' }) requestId!: string;
  @Column({ type: 'text' }) stack!: string;
  @Column({ type: 'text' }) environment!: string;
  @Column({ type: 'integer', nullable: true }) policyVersion!: number | null;
  @Column({ type: 'text' }) status!: 'pending' | 'applied' | 'rejected';
  @Column({ type: 'text' }) reason!: string;
  @Column({ type: 'timestamptz' }) createdAt!: Date;
}
