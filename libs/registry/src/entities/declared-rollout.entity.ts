import type { RolloutDeclarationRefusal } from '@strata/contracts';
import type { DomainViolation, RolloutPhase } from '@strata/domain';
import { Column, Entity, PrimaryGeneratedColumn, Unique } from 'typeorm';

/** Where a declaration stands: routing-control has not answered yet, started it, or refused it. */
export type DeclarationStatus = 'pending' | 'started' | 'refused';

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

  /** routing-control's answer to the declaration of `checksum`; reset to pending when declared again. */
  @Column({ type: 'text', default: 'pending' })
  status!: DeclarationStatus;

  @Column({ type: 'text', nullable: true })
  refusal!: RolloutDeclarationRefusal | null;

  @Column({ type: 'text', nullable: true })
  reason!: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  violations!: DomainViolation[];

  /** routing-control's rollout, once started: `GET /v1/rollouts/{rolloutId}`. */
  @Column({ type: 'uuid', nullable: true })
  rolloutId!: string | null;

  /** The rollout's phase as routing-control last reported it. */
  @Column({ type: 'text', nullable: true })
  phase!: RolloutPhase | null;

  @Column({ type: 'timestamptz', nullable: true })
  answeredAt!: Date | null;
}
