import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { REGISTRY_SCHEMA } from '../database/registry-schema';
import { TokenEntity } from '../entities/token.entity';
import { RegistryTransactions } from './transactions';

/** The only code that touches registry.tokens. */
@Injectable()
export class TokensRepository {
  constructor(private readonly transactions: RegistryTransactions) {}

  insert(manager: EntityManager, token: TokenEntity): Promise<TokenEntity> {
    return manager.getRepository(TokenEntity).save(token);
  }

  save(manager: EntityManager, token: TokenEntity): Promise<TokenEntity> {
    return manager.getRepository(TokenEntity).save(token);
  }

  /** Locked for the change about to be made, so two revocations do not both emit an event. */
  findForUpdate(manager: EntityManager, id: string): Promise<TokenEntity | null> {
    return manager.getRepository(TokenEntity).findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
  }

  findByHash(tokenHash: string): Promise<TokenEntity | null> {
    return this.transactions.reader.getRepository(TokenEntity).findOne({ where: { tokenHash } });
  }

  /** Whether the first embedded start already issued its admin token (issued by `strata` itself). */
  async anyCreatedBy(manager: EntityManager, createdBy: string): Promise<boolean> {
    return (await manager.getRepository(TokenEntity).count({ where: { createdBy } })) > 0;
  }

  /** Oldest first; the cursor is the last token's id. */
  async page(limit: number, after: string | undefined): Promise<{ items: TokenEntity[]; nextCursor: string | null }> {
    const query = this.transactions.reader.getRepository(TokenEntity).createQueryBuilder('token').orderBy('token.created_at', 'ASC').addOrderBy('token.id', 'ASC').limit(limit + 1);
    if (after) {
      query.where(`(token.created_at, token.id) > (SELECT created_at, id FROM "${REGISTRY_SCHEMA}".tokens WHERE id = :after)`, { after });
    }
    const rows = await query.getMany();
    const items = rows.slice(0, limit);
    return { items, nextCursor: rows.length > limit ? (items[items.length - 1]?.id ?? null) : null };
  }

  touch(id: string, at: Date): Promise<unknown> {
    return this.transactions.reader.getRepository(TokenEntity).update({ id }, { lastUsedAt: at });
  }
}
