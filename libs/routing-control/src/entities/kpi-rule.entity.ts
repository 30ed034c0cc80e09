import { KpiRule, KpiRuleTracking } from '@strata/domain';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** A rule over KPI windows of a stack and environment, with how long it has been breaching. */
@Entity({ name: 'kpi_rules' })
export class KpiRuleEntity {
  @PrimaryColumn({ type: 'uuid' }) id!: string;
  @Column({ type: 'text' }) stack!: string;
  @Column({ type: 'text' }) environment!: string;
  @Column({ type: 'text' }) name!: string;
  @Column({ type: 'jsonb' }) rule!: KpiRule;
  @Column({ type: 'jsonb' }) tracking!: KpiRuleTracking;
  @Column({ type: 'text' }) createdBy!: string;
  @CreateDateColumn({ type: 'timestamptz' }) createdAt!: Date;
}
