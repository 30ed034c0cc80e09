import { Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Topics } from '@strata/contracts';
import { EventSubscriber } from '../nest/event-subscriber';
import { KnownTokens } from './known-tokens';

/** Keeps a service's `known_tokens` in step with the registry's tokens, through its inbox (each event once). */
@Injectable()
export class TokenProjectionConsumer implements OnApplicationBootstrap {
  constructor(
    private readonly subscriber: EventSubscriber,
    private readonly tokens: KnownTokens,
  ) {}

  onApplicationBootstrap(): Promise<void> {
    return this.subscriber.subscribe('token-projection', [Topics.registryEvents], {
      'io.strata.registry.token.changed.v1': (event, manager) => this.tokens.apply(manager, event.data),
    });
  }
}
