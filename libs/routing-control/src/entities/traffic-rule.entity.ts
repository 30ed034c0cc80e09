import { TrafficRule, TrafficRuleTracking } from '@strata/domain';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A traffic-shaping rule over KPI windows of a stack and environment, with how long it has been breaching. */
@Entity({ name: 'traffic_rules' })
export class TrafficRuleEntity {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ type: 'text' }) stack!: string;
  @Column({ type: 'text' }) environment!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'jsonb' }) rule!: TrafficRule;
  @Column({ type: 'jsonb' }) tracking!: TrafficRuleTracking;
  @Column({ type: 'text' }) createdBy!: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
