import { Injectable } from '@nestjs/common';
import { DomainError } from '@strata/domain';
import { QuerySourceDefinition, QuerySourceRecord, QuerySourcesRepository } from '../repositories/query-sources.repository';

/** Registers, lists and removes Prometheus query sources; the scheduler runs them. */
@Injectable()
export class QuerySourcesService {
  constructor(private readonly sources: QuerySourcesRepository) {}

  create(source: QuerySourceDefinition): Promise<QuerySourceRecord> {
    return this.sources.create(source);
  }

  list(limit: number, after?: string): Promise<QuerySourceRecord[]> {
    return this.sources.list(limit, after);
  }

  async get(name: string): Promise<QuerySourceRecord> {
    const source = await this.sources.find(name);
    if (!source) {
      throw DomainError.notFound('query source', name);
    }
    return source;
  }

  /** The series it stored stay; only the schedule goes. */
  async delete(name: string): Promise<void> {
    if (!(await this.sources.delete(name))) {
      throw DomainError.notFound('query source', name);
    }
  }
}
