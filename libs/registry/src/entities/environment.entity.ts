import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn, Unique } from 'typeorm';
import type { StackEntity } from './stack.entity';

@Entity({ name: 'environments' })
@Unique('environments_stack_name', ['stackId', 'name'])
export class EnvironmentEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  stackId!: string;

  @ManyToOne('StackEntity', (stack: StackEntity) => stack.environments, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'stack_id' })
  stack!: StackEntity;

  @Column({ type: 'text' })
  name!: string;

  /** The environment this one mirrors (a staging environment names its production). */
  @Column({ type: 'text', nullable: true })
  mirrors!: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
