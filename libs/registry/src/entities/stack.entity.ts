import { Column, CreateDateColumn, Entity, OneToMany, PrimaryGeneratedColumn } from 'typeorm';
import { EnvironmentEntity } from './environment.entity';

@Entity({ name: 'stacks' })
export class StackEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text', unique: true })
  name!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @OneToMany(() => EnvironmentEntity, (environment) => environment.stack, { cascade: ['insert'] })
  environments!: EnvironmentEntity[];
}
