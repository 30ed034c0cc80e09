import { Inject, Injectable } from '@nestjs/common';
import { DomainError } from '@strata/domain';
import { randomUUID } from 'node:crypto';
import { EntityManager } from 'typeorm';
import { ROLLBACK_TUNING, RollbackTuning } from '../config/rollback-tuning';
import { NotificationChannelEntity, NotificationDeliveryEntity, NotificationEvent } from '../entities/notification.entity';
import { NotificationsRepository } from '../repositories/notifications.repository';
import { RollbackTransactions } from '../repositories/transactions';
import { NotificationFacts, notificationBody } from './notification-messages';

export interface NewChannel {
  name: string;
  format: 'slack' | 'json';
  url: string;
  secretFrom: string;
  events: NotificationEvent[];
}

/**
 * Notification channels, and the queueing of what they are told. A notification is queued in the
 * transaction of the change it reports (so it is never lost nor sent for a change rolled back),
 * and sent later by NotificationSender: a webhook that is down or slow never delays an execution.
 */
@Injectable()
export class NotificationsService {
  constructor(
    private readonly notifications: NotificationsRepository,
    private readonly transactions: RollbackTransactions,
    @Inject(ROLLBACK_TUNING) private readonly tuning: RollbackTuning,
  ) {}

  create(channel: NewChannel, actor: string): Promise<NotificationChannelEntity> {
    if (!this.tuning.targetEnvironment[channel.secretFrom]) {
      throw DomainError.invalid(`the variable ${channel.secretFrom} is not set`, [{ field: 'secretFrom', message: `names ${channel.secretFrom}, which is not set in the rollback service's environment: deliveries could not be signed` }]);
    }
    return this.transactions.run(async (manager) => {
      const taken = (await this.notifications.channels(manager)).some((existing) => existing.name === channel.name);
      if (taken) throw DomainError.alreadyExists('notification channel', channel.name);
      return this.notifications.insertChannel(manager, { id: randomUUID(), ...channel, createdBy: actor });
    });
  }

  list(): Promise<NotificationChannelEntity[]> {
    return this.notifications.channels(this.transactions.reader);
  }

  async get(id: string): Promise<{ channel: NotificationChannelEntity; deliveries: NotificationDeliveryEntity[] }> {
    const channel = await this.notifications.channel(this.transactions.reader, id);
    if (!channel) throw DomainError.notFound('notification channel', id);
    return { channel, deliveries: await this.notifications.deliveries(this.transactions.reader, id, 50) };
  }

  async remove(id: string): Promise<void> {
    const removed = await this.transactions.run((manager) => this.notifications.deleteChannel(manager, id));
    if (!removed) throw DomainError.notFound('notification channel', id);
  }

  /** Queues the facts for every channel that asked for their event, each in its channel's format. */
  async enqueue(manager: EntityManager, facts: NotificationFacts): Promise<void> {
    for (const format of ['slack', 'json'] as const) {
      await this.notifications.enqueue(manager, facts.event, format, notificationBody(format, facts));
    }
  }
}
