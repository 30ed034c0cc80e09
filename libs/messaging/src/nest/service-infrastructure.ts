import { DynamicModule, Module, Type } from '@nestjs/common';
import { OutboxConfig } from '@strata/config';
import { PersistenceModule, dataSourceToken } from '@strata/persistence';
import { DataSource } from 'typeorm';
import { KNOWN_TOKENS_SCHEMA, KnownTokens } from '../tokens/known-tokens';
import { TokenProjectionConsumer } from '../tokens/token-projection.consumer';
import { ServiceMessagingModule } from './service-messaging.module';

export interface ServiceInfrastructureOptions {
  service: string;
  schema: string;
  dataSource: DataSource;
  outbox: OutboxConfig;
  /** The service's controllers: their accepted writes are audited in the service's own audit_log. */
  controllers: readonly Type<unknown>[];
  /**
   * Keep `known_tokens` from the registry's `token.changed` events, to verify issued bearer tokens
   * in the distributed mode: every service but the registry, which owns the tokens.
   */
  projectTokens: boolean;
}

/** A service's projection of the registry's bearer tokens, in its own schema and through its own inbox. */
@Module({})
class TokenProjectionModule {
  static forService(options: { service: string; schema: string; persistence: DynamicModule; messaging: DynamicModule }): DynamicModule {
    return {
      module: TokenProjectionModule,
      imports: [options.persistence, options.messaging],
      providers: [
        { provide: DataSource, useExisting: dataSourceToken(options.service) },
        { provide: KNOWN_TOKENS_SCHEMA, useValue: options.schema },
        KnownTokens,
        TokenProjectionConsumer,
      ],
      exports: [KnownTokens],
    };
  }
}

/** The imports every service module starts with: its database (migrated, audited), its messaging, its token projection. */
export function serviceInfrastructure(options: ServiceInfrastructureOptions): DynamicModule[] {
  const persistence = PersistenceModule.forService({ service: options.service, schema: options.schema, dataSource: options.dataSource, controllers: options.controllers });
  const messaging = ServiceMessagingModule.forService({ service: options.service, schema: options.schema, outbox: options.outbox, persistence });
  const tokens = options.projectTokens ? [TokenProjectionModule.forService({ service: options.service, schema: options.schema, persistence, messaging })] : [];
  return [persistence, messaging, ...tokens];
}
