import { Inject, Injectable } from '@nestjs/common';
import { TransactionRunner, dataSourceToken } from '@strata/persistence';
import { DataSource } from 'typeorm';
import { REGISTRY_SERVICE } from '../database/registry-schema';

/** The registry's unit of work; `POST /v1/apply` runs many changes in one so a manifest applies all-or-nothing. */
@Injectable()
export class RegistryTransactions extends TransactionRunner {
  constructor(@Inject(dataSourceToken(REGISTRY_SERVICE)) dataSource: DataSource) {
    super(dataSource);
  }
}
