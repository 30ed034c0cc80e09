import { Inject, Injectable } from '@nestjs/common';
import { TransactionRunner, dataSourceToken } from '@strata/persistence';
import { DataSource } from 'typeorm';
import { ROLLBACK_SERVICE } from '../database/rollback-schema';

/** The rollback service's unit of work, which a consumer's inbox transaction can join. */
@Injectable()
export class RollbackTransactions extends TransactionRunner {
  constructor(@Inject(dataSourceToken(ROLLBACK_SERVICE)) dataSource: DataSource) {
    super(dataSource);
  }
}
