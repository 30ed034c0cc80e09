import { Injectable, Inject } from '@nestjs/common';
import type { TokenChangedV1 } from '@strata/contracts';
import type { IssuedToken, TokenLookup } from '@strata/observability';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';

/**
 * The bearer tokens a service other than the registry knows, projected from `token.changed`
 * events into its own schema (the registry's table is the registry's): how it verifies issued
 * tokens in the distributed mode. Only hashes are kept, as in the registry.
 */
export async function createKnownTokensTable(queryRunner: QueryRunner, schema: string): Promise<void> {
  await queryRunner.query(`
    CREATE TABLE "${schema}".known_tokens (
      id uuid PRIMARY KEY,
      principal text NOT NULL,
      role text NOT NULL CHECK (role IN ('viewer', 'operator', 'admin')),
      token_hash text NOT NULL UNIQUE,
      expires_at timestamptz,
      revoked_at timestamptz
    )`);
}

export async function dropKnownTokensTable(queryRunner: QueryRunner, schema: string): Promise<void> {
  await queryRunner.query(`DROP TABLE "${schema}".known_tokens`);
}

export const KNOWN_TOKENS_SCHEMA = Symbol('strata:known-tokens-schema');

interface KnownTokenRow {
  id: string;
  principal: string;
  role: IssuedToken['role'];
  token_hash: string;
  expires_at: Date | null;
  revoked_at: Date | null;
}

/** The only code that touches `known_tokens`. */
@Injectable()
export class KnownTokens implements TokenLookup {
  constructor(
    @Inject(KNOWN_TOKENS_SCHEMA) private readonly schema: string,
    private readonly dataSource: DataSource,
  ) {}

  /**
   * A token's whole state, in event order (token events share one key, so one partition). A
   * revocation is final: a late or replayed earlier state never brings a revoked token back.
   */
  async apply(manager: EntityManager, token: TokenChangedV1): Promise<void> {
    await manager.query(
      `INSERT INTO "${this.schema}".known_tokens (id, principal, role, token_hash, expires_at, revoked_at)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (id) DO UPDATE SET role = EXCLUDED.role, expires_at = EXCLUDED.expires_at,
         revoked_at = COALESCE(known_tokens.revoked_at, EXCLUDED.revoked_at)`,
      [token.id, token.principal, token.role, token.tokenHash, token.expiresAt, token.revokedAt],
    );
  }

  async findByHash(tokenHash: string): Promise<IssuedToken | undefined> {
    const [row] = (await this.dataSource.query(`SELECT id, principal, role, token_hash, expires_at, revoked_at FROM "${this.schema}".known_tokens WHERE token_hash = $1`, [tokenHash])) as KnownTokenRow[];
    return row ? { id: row.id, principal: row.principal, role: row.role, tokenHash: row.token_hash, expiresAt: row.expires_at, revokedAt: row.revoked_at } : undefined;
  }
}
