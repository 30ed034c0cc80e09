import { Column, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

export interface KnownEnvironment {
  name: string;
  mirrors?: string;
}

/** routing-control's own projection of registry stacks, built from registry events. */
@Entity({ name: 'known_stacks' })
export class KnownStackEntity {
  @PrimaryColumn({ type: 'text' })
  name!: string;

  @Column({ type: 'jsonb' })
  environments!: KnownEnvironment[];

  /** Registry events folded into this row; with the inbox, each event counts exactly once. */
  @Column({ type: 'integer' })
  appliedEvents!: number;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt!: Date;
}
