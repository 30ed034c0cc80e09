import { Inject, Injectable } from '@nestjs/common';
import { TransactionRunner, dataSourceToken } from '@strata/persistence';
import { DataSource } from 'typeorm';
import { ROUTING_CONTROL_SERVICE } from '../database/routing-control-schema';

/** routing-control's unit of work, which a consumer's inbox transaction can join. */
@Injectable()
export class RoutingTransactions extends TransactionRunner {
  constructor(@Inject(dataSourceToken(ROUTING_CONTROL_SERVICE)) dataSource: DataSource) {
    super(dataSource);
  }
}
