import { Injectable } from '@nestjs/common';
import { DomainError, Role } from '@strata/domain';
import { EventOutbox } from '@strata/messaging';
import { ADMIN_PRINCIPAL, IssuedToken, TokenLookup, generateTokenSecret, hashTokenSecret } from '@strata/observability';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { TokenEntity } from '../entities/token.entity';
import { TokensRepository } from '../repositories/tokens.repository';
import { RegistryTransactions } from '../repositories/transactions';

/** Who issues the first embedded start's admin token: Strata itself, once. */
export const BOOTSTRAP_ISSUER = 'strata';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface NewToken {
  principal: string;
  role: Role;
  expiresAt?: Date;
}

/**
 * Bearer tokens, owned by the registry: issued (the secret returned once, its hash kept), listed,
 * expired and revoked. Each change is a `token.changed` event, from which other services keep
 * the projection they verify tokens with; the registry verifies against its own table.
 */
@Injectable()
export class TokensService implements TokenLookup {
  constructor(
    private readonly tokens: TokensRepository,
    private readonly transactions: RegistryTransactions,
    private readonly events: EventOutbox,
  ) {}

  create(input: NewToken, actor: string): Promise<{ token: TokenEntity; secret: string }> {
    return this.transactions.run((manager) => this.issue(input, actor, manager));
  }

  /**
   * The first embedded start without STRATA_ADMIN_TOKEN issues an admin token and returns its
   * secret to print; every later start finds it issued and returns nothing (it cannot be shown again).
   */
  issueBootstrapAdmin(): Promise<string | undefined> {
    return this.transactions.run(async (manager) => {
      // One process at a time decides, so two starts on one database cannot both issue one.
      await manager.query(`SELECT pg_advisory_xact_lock(hashtext('strata.bootstrap-admin-token'))`);
      if (await this.tokens.anyCreatedBy(manager, BOOTSTRAP_ISSUER)) {
        return undefined;
      }
      return (await this.issue({ principal: ADMIN_PRINCIPAL, role: 'admin' }, BOOTSTRAP_ISSUER, manager)).secret;
    });
  }

  page(limit: number, after: string | undefined): Promise<{ items: TokenEntity[]; nextCursor: string | null }> {
    if (after !== undefined && !UUID.test(after)) {
      throw DomainError.invalid('after must be the nextCursor of a previous page', [{ field: 'after', message: 'must be a token id' }]);
    }
    return this.tokens.page(limit, after);
  }

  /** Sets when the token stops working; a time in the past expires it now. Revoked tokens stay revoked. */
  expire(id: string, expiresAt: Date, actor: string): Promise<TokenEntity> {
    return this.change(id, actor, 'expired', (token) => {
      token.expiresAt = expiresAt;
    });
  }

  revoke(id: string, actor: string): Promise<TokenEntity> {
    return this.change(id, actor, 'revoked', (token) => {
      if (!token.revokedAt) {
        token.revokedAt = new Date();
        token.revokedBy = actor;
      }
    });
  }

  async findByHash(tokenHash: string): Promise<IssuedToken | undefined> {
    const token = await this.tokens.findByHash(tokenHash);
    if (!token) {
      return undefined;
    }
    const now = new Date();
    // `lastUsedAt` tells when a token last got a request through: a revoked or expired one is refused by the guard, so it is not touched.
    if (!token.revokedAt && (!token.expiresAt || token.expiresAt.getTime() > now.getTime())) {
      // Best effort: a failed bookkeeping write must not refuse a valid request.
      void this.tokens.touch(token.id, now).catch(() => undefined);
    }
    return token;
  }

  private async issue(input: NewToken, actor: string, manager: EntityManager): Promise<{ token: TokenEntity; secret: string }> {
    if (input.expiresAt && input.expiresAt.getTime() <= Date.now()) {
      throw DomainError.invalid('a new token must expire in the future', [{ field: 'expiresAt', message: 'must be in the future' }]);
    }
    const secret = generateTokenSecret();
    const token = Object.assign(new TokenEntity(), {
      id: randomUUID(),
      principal: input.principal,
      role: input.role,
      tokenHash: hashTokenSecret(secret),
      createdAt: new Date(),
      createdBy: actor,
      expiresAt: input.expiresAt ?? null,
      revokedAt: null,
      revokedBy: null,
      lastUsedAt: null,
    });
    await this.tokens.insert(manager, token);
    await this.record(token, 'created', actor, manager);
    return { token, secret };
  }

  private change(id: string, actor: string, change: 'expired' | 'revoked', apply: (token: TokenEntity) => void): Promise<TokenEntity> {
    if (!UUID.test(id)) {
      throw DomainError.notFound('token', id);
    }
    return this.transactions.run(async (manager) => {
      const token = await this.tokens.findForUpdate(manager, id);
      if (!token) {
        throw DomainError.notFound('token', id);
      }
      apply(token);
      await this.tokens.save(manager, token);
      await this.record(token, change, actor, manager);
      return token;
    });
  }

  private record(token: TokenEntity, change: 'created' | 'expired' | 'revoked', actor: string, manager: EntityManager): Promise<void> {
    return this.events.record(
      manager,
      this.events.create('io.strata.registry.token.changed.v1', 'tokens', {
        id: token.id,
        principal: token.principal,
        role: token.role,
        tokenHash: token.tokenHash,
        createdAt: token.createdAt.toISOString(),
        expiresAt: token.expiresAt?.toISOString() ?? null,
        revokedAt: token.revokedAt?.toISOString() ?? null,
        change,
        actor,
      }),
    );
  }
}
