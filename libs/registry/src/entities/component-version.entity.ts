import { ConfigValue, DependencyDeclaration, HealthCheck, RollbackAction } from '@strata/domain';
import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { ComponentEntity } from './component.entity';

export interface BreakingOverride {
  reason: string;
  actor: string;
  breaks: { kind: string; location: string; message: string }[];
}

/** Immutable once written: no code path updates a row of this table. */
@Entity({ name: 'component_versions' })
@Unique('component_versions_unique', ['componentId', 'version'])
export class ComponentVersionEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  componentId!: string;

  @ManyToOne(() => ComponentEntity)
  @JoinColumn({ name: 'component_id' })
  component!: ComponentEntity;

  @Column({ type: 'text' })
  version!: string;

  @Column({ type: 'jsonb' })
  dependencies!: DependencyDeclaration[];

  @Column({ type: 'jsonb' })
  config!: Record<string, ConfigValue>;

  @Column({ type: 'jsonb' })
  rollback!: RollbackAction[];

  @Column({ type: 'jsonb', nullable: true })
  healthCheck!: HealthCheck | null;

  @Column({ type: 'jsonb' })
  spec!: unknown;

  @Column({ type: 'text' })
  checksum!: string;

  @Column({ type: 'jsonb', nullable: true })
  breakingOverride!: BreakingOverride | null;

  @Column({ type: 'text' })
  registeredBy!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
