import { Inject, Injectable } from '@nestjs/common';
import { TransactionRunner, dataSourceToken } from '@strata/persistence';
import { DataSource } from 'typeorm';
import { PREDICTIVE_STAGING_SERVICE } from '../database/predictive-staging-schema';

/** predictive-staging's unit of work, which a consumer's inbox transaction can join. */
@Injectable()
export class PredictiveTransactions extends TransactionRunner {
  constructor(@Inject(dataSourceToken(PREDICTIVE_STAGING_SERVICE)) dataSource: DataSource) {
    super(dataSource);
  }
}
