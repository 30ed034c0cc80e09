import { InMemoryEventBus, Subscription, SubscriptionHandle } from '@strata/messaging';
import { CapturedLogs, captureLogs } from '@strata/observability';
import { lastValueFrom, toArray } from 'rxjs';
import { LIVE_GROUP_CLEANUP_MS, LiveChangesService } from './live-changes.service';

/** A bus whose subscription records its group and leaves it as `stop` says (a broker gone: never). */
class LeavingBus extends InMemoryEventBus {
  readonly subscribed: string[] = [];
  readonly ephemeral: Array<boolean | undefined> = [];
  readonly steps: string[] = [];

  constructor(private readonly leave: () => Promise<void>) {
    super(1);
  }

  override async subscribe(subscription: Subscription): Promise<SubscriptionHandle> {
    this.subscribed.push(subscription.groupId);
    this.ephemeral.push(subscription.ephemeral);
    return { stop: () => this.leave().then(() => void this.steps.push('left')) };
  }
}

describe('LiveChangesService', () => {
  it('ends the streams open when the application shuts down', async () => {
    const sut = new LiveChangesService(new InMemoryEventBus(1));
    const open = lastValueFrom(sut.events().pipe(toArray()));

    sut.beforeApplicationShutdown();

    await expect(open).resolves.toEqual([]);
  });

  it('ends at once a stream opened after the shutdown began (a dashboard reconnecting while the modules stop)', async () => {
    const sut = new LiveChangesService(new InMemoryEventBus(1));
    sut.beforeApplicationShutdown();

    await expect(lastValueFrom(sut.events().pipe(toArray()))).resolves.toEqual([]);
  });
});

describe('LiveChangesService consumer group at shutdown', () => {
  let logs: CapturedLogs;

  beforeEach(() => {
    logs = captureLogs('warn');
  });

  afterEach(() => {
    logs.restore();
    jest.useRealTimers();
  });

  it('subscribes with an ephemeral group of its own, leaves it at shutdown, and says nothing', async () => {
    const bus = new LeavingBus(async () => undefined);
    const sut = new LiveChangesService(bus);
    await sut.onApplicationBootstrap();

    await sut.onApplicationShutdown();

    expect(bus.subscribed).toEqual([expect.stringMatching(/^strata-dashboard-[0-9a-f-]{36}$/)]);
    expect(bus.ephemeral).toEqual([true]);
    expect(bus.steps).toEqual(['left']);
    expect(logs.lines).toEqual([]);
  });

  it.each([
    ['the group cannot be left (the broker is gone)', () => new Promise<void>(() => undefined), 'leaving and deleting the group took more than'],
    ['the delete fails', async () => Promise.reject(new Error('cannot delete the consumer group g: connection refused')), 'connection refused'],
  ])('ends the shutdown within its bound, without throwing, with one warning, when %s', async (_case, stop, reason) => {
    jest.useFakeTimers({ doNotFake: ['Date', 'performance'] });
    const sut = new LiveChangesService(new LeavingBus(stop));
    await sut.onApplicationBootstrap();

    const stopped = sut.onApplicationShutdown();
    await jest.advanceTimersByTimeAsync(LIVE_GROUP_CLEANUP_MS);

    await expect(stopped).resolves.toBeUndefined();
    expect(logs.lines.map((line) => JSON.parse(line) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ level: 'warn', msg: expect.stringContaining("the live stream's consumer group may stay on the broker"), reason: expect.stringContaining(reason) }),
    ]);
  });
});
