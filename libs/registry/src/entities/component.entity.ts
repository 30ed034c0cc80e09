import { Column, CreateDateColumn, Entity, JoinColumn, ManyToOne, PrimaryGeneratedColumn } from 'typeorm';
import { StackEntity } from './stack.entity';

@Entity({ name: 'components' })
export class ComponentEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  stackId!: string;

  @ManyToOne(() => StackEntity)
  @JoinColumn({ name: 'stack_id' })
  stack!: StackEntity;

  @Column({ type: 'text', unique: true })
  name!: string;

  @Column({ type: 'text' })
  type!: string;

  /** Where the component lives, by reference (e.g. `{ databaseUrlFrom: CHECKOUT_DB_URL }`), never secrets. */
  @Column({ type: 'jsonb' })
  target!: Record<string, unknown>;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;
}
