import { Column, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { ComponentEntity } from './component.entity';

/** Append-only history of the version map: who changed what, when, from → to. */
@Entity({ name: 'version_map_history' })
export class VersionMapChangeEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id!: string;

  @Column({ type: 'uuid' })
  environmentId!: string;

  @Column({ type: 'text' })
  location!: string;

  @Column({ type: 'uuid' })
  componentId!: string;

  @ManyToOne(() => ComponentEntity)
  @JoinColumn({ name: 'component_id' })
  component!: ComponentEntity;

  @Column({ type: 'text', nullable: true })
  fromVersion!: string | null;

  @Column({ type: 'text' })
  toVersion!: string;

  @Column({ type: 'text', nullable: true })
  fromStatus!: string | null;

  @Column({ type: 'text' })
  toStatus!: string;

  @Column({ type: 'text' })
  actor!: string;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  changedAt!: Date;
}
