import { Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

@Entity({ name: 'declared_rollouts' })
@Unique('declared_rollouts_unique', ['stackId', 'name'])
export class DeclaredRolloutEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  stackId!: string;

  @Column({ type: 'text' })
  name!: string;

  @Column({ type: 'jsonb' })
  spec!: Record<string, unknown>;

  @Column({ type: 'text' })
  checksum!: string;

  @Column({ type: 'text' })
  declaredBy!: string;

  @Column({ type: 'timestamptz', default: () => 'now()' })
  declaredAt!: Date;
}
