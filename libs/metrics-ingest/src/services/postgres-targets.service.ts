import { Injectable } from '@nestjs/common';
import { DomainError } from '@strata/domain';
import { PostgresTargetDefinition, PostgresTargetRecord, PostgresTargetsRepository } from '../repositories/postgres-targets.repository';

/** Registers, lists and removes the databases whose pg_stat_statements the scheduler scrapes. */
@Injectable()
export class PostgresTargetsService {
  constructor(private readonly targets: PostgresTargetsRepository) {}

  create(target: PostgresTargetDefinition): Promise<PostgresTargetRecord> {
    if ((target.url === null) === (target.urlFrom === null)) {
      const message = 'give exactly one of url and urlFrom (the name of an environment variable holding the URL)';
      throw DomainError.invalid(message, [{ field: target.url === null ? 'urlFrom' : 'url', message }]);
    }
    return this.targets.create(target);
  }

  list(limit: number, after?: string): Promise<PostgresTargetRecord[]> {
    return this.targets.list(limit, after);
  }

  async get(name: string): Promise<PostgresTargetRecord> {
    const target = await this.targets.find(name);
    if (!target) {
      throw DomainError.notFound('postgres target', name);
    }
    return target;
  }

  /** The series it stored stay; only the schedule and the baseline go. */
  async delete(name: string): Promise<void> {
    if (!(await this.targets.delete(name))) {
      throw DomainError.notFound('postgres target', name);
    }
  }
}
