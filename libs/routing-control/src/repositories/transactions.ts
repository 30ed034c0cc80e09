import { Inject, Injectable } from '@nestjs/common';
import { dataSourceToken } from '@strata/persistence';
import { DataSource, EntityManager } from 'typeorm';
import { ROUTING_CONTROL_SERVICE } from '../database/routing-control-schema';

/** Runs routing-control work in one transaction, or inside the caller's (a consumer's inbox transaction). */
@Injectable()
export class RoutingTransactions {
  constructor(@Inject(dataSourceToken(ROUTING_CONTROL_SERVICE)) private readonly dataSource: DataSource) {}

  run<T>(work: (manager: EntityManager) => Promise<T>, within?: EntityManager): Promise<T> {
    return within ? work(within) : this.dataSource.transaction(work);
  }

  get reader(): EntityManager {
    return this.dataSource.manager;
  }
}

const UNIQUE_VIOLATION = '23505';

export function isUniqueViolation(error: unknown): boolean {
  return (error as { driverError?: { code?: string } }).driverError?.code === UNIQUE_VIOLATION;
}
