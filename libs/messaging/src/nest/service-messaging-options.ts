import { OutboxConfig } from '@strata/config';

export const SERVICE_MESSAGING_OPTIONS = Symbol('strata:service-messaging-options');

export interface ServiceMessagingOptions {
  service: string;
  schema: string;
  outbox: OutboxConfig;
}
