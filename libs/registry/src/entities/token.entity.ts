import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { Role } from '@strata/domain';

/** An issued bearer token: who it speaks for, its role and the hash of its secret (never the secret). */
@Entity({ name: 'tokens' })
export class TokenEntity {
  @PrimaryColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  principal!: string;

  @Column({ type: 'text' })
  role!: Role;

  @Column({ type: 'text' })
  tokenHash!: string;

  @Column({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'text' })
  createdBy!: string;

  @Column({ type: 'timestamptz', nullable: true })
  expiresAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt!: Date | null;

  @Column({ type: 'text', nullable: true })
  revokedBy!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  lastUsedAt!: Date | null;
}
