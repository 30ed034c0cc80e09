import { Inject, Injectable } from '@nestjs/common';
import { dataSourceToken } from '@strata/persistence';
import { DataSource, EntityManager } from 'typeorm';
import { REGISTRY_SERVICE } from '../database/registry-schema';

/**
 * Runs registry work in a transaction, or inside the caller's: `POST /v1/apply` runs many changes in
 * one transaction so a manifest applies all-or-nothing.
 */
@Injectable()
export class RegistryTransactions {
  constructor(@Inject(dataSourceToken(REGISTRY_SERVICE)) private readonly dataSource: DataSource) {}

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
