import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { NotificationChannelEntity, NotificationDeliveryEntity, NotificationEvent } from '../entities/notification.entity';

/** The only code touching notification channels and deliveries. */
@Injectable()
export class NotificationsRepository {
  async insertChannel(manager: EntityManager, channel: Omit<NotificationChannelEntity, 'createdAt'>): Promise<NotificationChannelEntity> {
    await manager.insert(NotificationChannelEntity, channel);
    return (await manager.findOneBy(NotificationChannelEntity, { id: channel.id })) as NotificationChannelEntity;
  }

  channels(manager: EntityManager): Promise<NotificationChannelEntity[]> {
    return manager.find(NotificationChannelEntity, { order: { createdAt: 'ASC' } });
  }

  channel(manager: EntityManager, id: string): Promise<NotificationChannelEntity | null> {
    return manager.findOneBy(NotificationChannelEntity, { id });
  }

  async deleteChannel(manager: EntityManager, id: string): Promise<boolean> {
    return ((await manager.delete(NotificationChannelEntity, { id })).affected ?? 0) > 0;
  }

  /** Queues `body` for every channel of `format` that asked for `event`, in the caller's transaction. */
  async enqueue(manager: EntityManager, event: NotificationEvent, format: NotificationChannelEntity['format'], body: Record<string, unknown>): Promise<void> {
    const channels = (await this.channels(manager)).filter((channel) => channel.format === format && channel.events.includes(event));
    if (channels.length > 0) {
      await manager.insert(
        NotificationDeliveryEntity,
        // The body is a JSON document TypeORM cannot type as a partial entity.
        channels.map((channel) => ({ channelId: channel.id, event, body, status: 'pending' as const, attempts: 0, nextAttemptAt: new Date() })) as never,
      );
    }
  }

  /** The oldest pending delivery of each channel whose time has come: a channel's messages go out in order. */
  async due(manager: EntityManager, now: Date): Promise<NotificationDeliveryEntity[]> {
    const rows: { id: string }[] = await manager.query(
      `SELECT DISTINCT ON (channel_id) id FROM "${manager.connection.getMetadata(NotificationDeliveryEntity).schema}".notification_deliveries
       WHERE status = 'pending' ORDER BY channel_id, id`,
    );
    if (rows.length === 0) return [];
    const heads = await manager.findBy(NotificationDeliveryEntity, { id: In(rows.map((row) => row.id)) });
    return heads.filter((delivery) => delivery.nextAttemptAt.getTime() <= now.getTime());
  }

  async settle(manager: EntityManager, id: string, outcome: Pick<NotificationDeliveryEntity, 'status' | 'attempts' | 'nextAttemptAt' | 'lastError' | 'deliveredAt'>): Promise<void> {
    await manager.update(NotificationDeliveryEntity, { id }, outcome);
  }

  deliveries(manager: EntityManager, channelId: string, limit: number): Promise<NotificationDeliveryEntity[]> {
    return manager.find(NotificationDeliveryEntity, { where: { channelId }, order: { id: 'DESC' }, take: limit });
  }
}
