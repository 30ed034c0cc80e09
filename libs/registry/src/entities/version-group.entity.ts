import { Column, CreateDateColumn, Entity, JoinColumn, JoinTable, ManyToMany, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import { ComponentVersionEntity } from './component-version.entity';
import { StackEntity } from './stack.entity';

@Entity({ name: 'version_groups' })
@Unique('version_groups_unique', ['stackId', 'name'])
export class VersionGroupEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  stackId!: string;

  @ManyToOne(() => StackEntity)
  @JoinColumn({ name: 'stack_id' })
  stack!: StackEntity;

  @Column({ type: 'text' })
  name!: string;

  /** The environment it was validated against when created. */
  @Column({ type: 'text' })
  environment!: string;

  @ManyToMany(() => ComponentVersionEntity)
  @JoinTable({ name: 'version_group_members', joinColumn: { name: 'version_group_id' }, inverseJoinColumn: { name: 'component_version_id' } })
  members!: ComponentVersionEntity[];

  @Column({ type: 'text' })
  createdBy!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
