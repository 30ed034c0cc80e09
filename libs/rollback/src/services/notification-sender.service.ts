import { BeforeApplicationShutdown, Inject, Injectable, OnApplicationBootstrap } from '@nestjs/common';
import { Logger } from '@strata/observability';
import { PeriodicTask } from '@strata/runtime';
import { ROLLBACK_TUNING, RollbackTuning } from '../config/rollback-tuning';
import { NotificationChannelEntity, NotificationDeliveryEntity } from '../entities/notification.entity';
import { NotificationsRepository } from '../repositories/notifications.repository';
import { RollbackTransactions } from '../repositories/transactions';
import { retryDelayMs, signatureHeaders } from './notification-messages';

/** Attempts of one delivery before it is marked failed and its channel moves on. */
const MAX_ATTEMPTS = 10;

/**
 * Sends queued notifications: the oldest pending one of each channel, so a channel's messages
 * arrive in order; a failed attempt is retried with backoff (1 s, 2 s, 4 s … 5 min) and after
 * MAX_ATTEMPTS given up with the reason kept. Runs on its own timer: nothing waits for it.
 */
@Injectable()
export class NotificationSender implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger('notifications').child({ service: 'rollback' });
  private readonly task: PeriodicTask;

  constructor(
    private readonly notifications: NotificationsRepository,
    private readonly transactions: RollbackTransactions,
    @Inject(ROLLBACK_TUNING) private readonly tuning: RollbackTuning,
  ) {
    this.task = new PeriodicTask(
      () => this.pass(),
      (error) => this.logger.warn('cannot read the notification queue; next tick retries', { error: String(error) }),
    );
  }

  onApplicationBootstrap(): void {
    this.task.start(this.tuning.tickMs);
  }

  beforeApplicationShutdown(): Promise<void> {
    return this.task.stop();
  }

  private async pass(): Promise<void> {
    const now = new Date();
    const due = await this.notifications.due(this.transactions.reader, now);
    await Promise.all(due.map((delivery) => this.deliver(delivery)));
  }

  private async deliver(delivery: NotificationDeliveryEntity): Promise<void> {
    const channel = await this.notifications.channel(this.transactions.reader, delivery.channelId);
    if (!channel) return; // deleted meanwhile; its deliveries went with it
    const error = await this.send(channel, delivery);
    const attempts = delivery.attempts + 1;
    const manager = this.transactions.reader;
    if (error === undefined) {
      await this.notifications.settle(manager, delivery.id, { status: 'delivered', attempts, nextAttemptAt: delivery.nextAttemptAt, lastError: null, deliveredAt: new Date() });
      return;
    }
    const giveUp = attempts >= MAX_ATTEMPTS;
    if (giveUp) this.logger.warn('a notification could not be delivered; given up', { channel: channel.name, deliveryId: delivery.id, error });
    await this.notifications.settle(manager, delivery.id, { status: giveUp ? 'failed' : 'pending', attempts, nextAttemptAt: new Date(Date.now() + retryDelayMs(attempts)), lastError: error.slice(0, 2_000), deliveredAt: null });
  }

  /** undefined when the receiver answered 2xx, else why not. */
  private async send(channel: NotificationChannelEntity, delivery: NotificationDeliveryEntity): Promise<string | undefined> {
    const secret = this.tuning.targetEnvironment[channel.secretFrom];
    if (!secret) return `the variable ${channel.secretFrom} (secretFrom) is not set: the delivery cannot be signed`;
    const body = JSON.stringify(delivery.body);
    try {
      const response = await fetch(channel.url, {
        method: 'POST',
        body,
        signal: AbortSignal.timeout(this.tuning.httpActionTimeoutMs),
        headers: { 'content-type': 'application/json', 'x-strata-event': delivery.event, 'x-strata-delivery': delivery.id, ...signatureHeaders(secret, body, Math.floor(Date.now() / 1000)) },
      });
      await response.arrayBuffer();
      return response.ok ? undefined : `answered ${response.status}`;
    } catch (error) {
      return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    }
  }
}
