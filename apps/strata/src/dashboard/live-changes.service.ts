import { BeforeApplicationShutdown, Inject, Injectable, MessageEvent, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { EVENT_BUS, EventBus, SubscriptionHandle } from '@strata/messaging';
import { Logger } from '@strata/observability';
import { within } from '@strata/runtime';
import { randomUUID } from 'node:crypto';
import { Observable, ReplaySubject, Subject, interval, map, merge, takeUntil } from 'rxjs';
import { LIVE_TOPICS, LiveChange, toLiveChange } from './live-change';

/**
 * How long leaving the live stream's group, and deleting it, may take: a broker that is gone must not
 * hold a shutdown up (stopOnSignals exits after 20 s, counting it a failure).
 */
export const LIVE_GROUP_CLEANUP_MS = 10_000;

/** A comment-free event every so often keeps idle proxies from closing the stream and tells the dashboard it still hears. */
export const KEEP_ALIVE_MS = 15_000;

/**
 * Every event on the topics the dashboard shows, as LiveChanges, for as many streams as are open.
 * Its consumer group is this process' own, so on Kafka each dashboard origin hears every event
 * and no service's group loses a partition to it. The group is ephemeral: it hears what is written
 * from its start on (the views read the rest from the API), commits nothing, and a clean shutdown
 * deletes it from the broker rather than leave it listed until the offset retention.
 */
@Injectable()
export class LiveChangesService implements OnApplicationBootstrap, BeforeApplicationShutdown, OnApplicationShutdown {
  private readonly changes = new Subject<LiveChange>();
  // Replayed: a dashboard that reconnects while the other modules are still stopping (before the
  // HTTP server closes) gets a stream that ends at once instead of one that holds the shutdown up.
  private readonly closing = new ReplaySubject<void>(1);
  private subscription: SubscriptionHandle | undefined;
  private readonly groupId = `strata-dashboard-${randomUUID()}`;
  private readonly logger = new Logger('dashboard');

  constructor(@Inject(EVENT_BUS) private readonly bus: EventBus) {}

  /** One stream's events: a `change` per bus event, a `keep-alive` every KEEP_ALIVE_MS. */
  events(): Observable<MessageEvent> {
    return merge(
      this.changes.pipe(map((change): MessageEvent => ({ type: 'change', data: change }))),
      interval(KEEP_ALIVE_MS).pipe(map((): MessageEvent => ({ type: 'keep-alive', data: {} }))),
    ).pipe(takeUntil(this.closing));
  }

  async onApplicationBootstrap(): Promise<void> {
    this.subscription = await this.bus.subscribe({
      groupId: this.groupId,
      topics: LIVE_TOPICS,
      ephemeral: true,
      handler: async (message) => {
        const change = toLiveChange(message.topic, message.value);
        if (change) {
          this.changes.next(change);
        }
      },
    });
  }

  /** Ends every open stream before the HTTP server closes: an open dashboard must not hold a Ctrl-C up. */
  beforeApplicationShutdown(): void {
    this.closing.next();
    this.closing.complete();
  }

  /** Leaves the group, which deletes it (ephemeral); bounded, and never throws: a broker that is gone costs one warning. */
  async onApplicationShutdown(): Promise<void> {
    this.changes.complete();
    if (!this.subscription) {
      return;
    }
    try {
      await within(this.subscription.stop(), LIVE_GROUP_CLEANUP_MS, 'leaving and deleting the group');
    } catch (error) {
      this.logger.warn("the live stream's consumer group may stay on the broker a while (it commits nothing, so the broker drops it once empty)", { groupId: this.groupId, reason: error instanceof Error ? error.message : String(error) });
    }
  }
}
