import { DeadLetterHeaders } from '@strata/contracts';
import { DomainError, DomainErrorCode } from '@strata/domain';
import { StrataEvent } from '@strata/contracts';
import { IncomingMessage, EventBus, OutgoingMessage } from '../bus/event-bus';
import { ConsumerStoppingError, createBatchEventProcessor, createEventProcessor } from './event-processor';
import { PermanentFailure, TransientFailure } from './failures';

function recordingBus(): EventBus & { published: OutgoingMessage[] } {
  const published: OutgoingMessage[] = [];
  return {
    transport: 'memory',
    published,
    start: async () => undefined,
    stop: async () => undefined,
    probe: async () => undefined,
    subscribe: async () => ({ stop: async () => undefined }),
    publish: async (messages) => void published.push(...messages),
    positions: async () => [],
  };
}

function message(value: string): IncomingMessage {
  return { topic: 'registry.events', partition: 1, offset: '42', key: 'checkout', value: Buffer.from(value), headers: { origin: 'test' } };
}

const event = JSON.stringify({
  specversion: '1.0',
  id: 'e-1',
  source: '/strata/registry',
  type: 'io.strata.registry.stack.created.v1',
  time: '2026-11-26T10:00:00Z',
  subject: 'checkout',
  datacontenttype: 'application/json',
  data: { stack: 'checkout', environments: [{ name: 'production' }] },
});

const context = () => ({ heartbeat: jest.fn(async () => undefined), signal: new AbortController().signal });
const fastBackoff = { initialMs: 1, maxMs: 2 };

describe(createEventProcessor.name, () => {
  it('hands a valid event to its handler', async () => {
    const bus = recordingBus();
    const handler = jest.fn(async () => undefined);
    const sut = createEventProcessor({ groupId: 'g', bus, handlers: { 'io.strata.registry.stack.created.v1': handler } });
    await sut(message(event), context());
    expect(handler).toHaveBeenCalledWith(expect.objectContaining({ id: 'e-1', data: { stack: 'checkout', environments: [{ name: 'production' }] } }));
    expect(bus.published).toEqual([]);
  });

  it('skips a known type it has no handler for', async () => {
    const bus = recordingBus();
    const sut = createEventProcessor({ groupId: 'g', bus, handlers: {} });
    await sut(message(event), context());
    expect(bus.published).toEqual([]);
  });

  it('dead-letters invalid data with the field named, keeping key, value and headers', async () => {
    const bus = recordingBus();
    const sut = createEventProcessor({ groupId: 'g', bus, handlers: {} });
    const invalid = JSON.stringify({ ...JSON.parse(event), data: { stack: 'checkout' } });
    await sut(message(invalid), context());
    expect(bus.published).toEqual([
      {
        topic: 'dlq',
        key: 'checkout',
        value: Buffer.from(invalid),
        headers: expect.objectContaining({
          origin: 'test',
          [DeadLetterHeaders.reason]: expect.stringContaining('data.environments'),
          [DeadLetterHeaders.originalTopic]: 'registry.events',
          [DeadLetterHeaders.originalPartition]: '1',
          [DeadLetterHeaders.originalOffset]: '42',
          [DeadLetterHeaders.consumerGroup]: 'g',
        }),
      },
    ]);
  });

  it('dead-letters a permanent failure at once', async () => {
    const bus = recordingBus();
    const handler = jest.fn(async () => {
      throw new DomainError(DomainErrorCode.InvalidInput, 'refused');
    });
    const sut = createEventProcessor({ groupId: 'g', bus, handlers: { 'io.strata.registry.stack.created.v1': handler } });
    await sut(message(event), context());
    expect(handler).toHaveBeenCalledTimes(1);
    expect(bus.published[0]?.headers?.[DeadLetterHeaders.reason]).toBe('permanent failure handling io.strata.registry.stack.created.v1 e-1: refused');
  });

  it('retries an unknown failure, then dead-letters it', async () => {
    const bus = recordingBus();
    const handler = jest.fn(async () => {
      throw new Error('mystery');
    });
    const sut = createEventProcessor({ groupId: 'g', bus, handlers: { 'io.strata.registry.stack.created.v1': handler }, maxUnknownAttempts: 3, backoff: fastBackoff });
    await sut(message(event), context());
    expect(handler).toHaveBeenCalledTimes(3);
    expect(bus.published[0]?.headers?.[DeadLetterHeaders.reason]).toMatch(/^failed 3 times/);
  });

  it('retries a transient failure until it succeeds, beyond the unknown-failure limit', async () => {
    const bus = recordingBus();
    let calls = 0;
    const handler = jest.fn(async () => {
      calls += 1;
      if (calls < 6) {
        throw new TransientFailure('database away');
      }
    });
    const sut = createEventProcessor({ groupId: 'g', bus, handlers: { 'io.strata.registry.stack.created.v1': handler }, maxUnknownAttempts: 2, backoff: fastBackoff });
    const delivery = context();
    await sut(message(event), delivery);
    expect(handler).toHaveBeenCalledTimes(6);
    expect(bus.published).toEqual([]);
    expect(delivery.heartbeat).toHaveBeenCalled();
  });

  it('gives up without committing when the consumer stops mid-retry', async () => {
    const bus = recordingBus();
    const stopping = new AbortController();
    const handler = jest.fn(async () => {
      stopping.abort();
      throw new TransientFailure('database away');
    });
    const sut = createEventProcessor({ groupId: 'g', bus, handlers: { 'io.strata.registry.stack.created.v1': handler }, backoff: fastBackoff });
    await expect(sut(message(event), { heartbeat: async () => undefined, signal: stopping.signal })).rejects.toBeInstanceOf(ConsumerStoppingError);
    expect(bus.published).toEqual([]);
  });

  it('does not commit when the dead letter cannot be written', async () => {
    const bus = recordingBus();
    bus.publish = async () => {
      throw new Error('broker away');
    };
    const sut = createEventProcessor({
      groupId: 'g',
      bus,
      handlers: {
        'io.strata.registry.stack.created.v1': async () => {
          throw new PermanentFailure('bad');
        },
      },
    });
    await expect(sut(message(event), context())).rejects.toThrow('broker away');
  });
});

describe(createBatchEventProcessor.name, () => {
  const created = (id: string, offset: number): IncomingMessage => ({ ...message(JSON.stringify({ ...JSON.parse(event), id })), offset: String(offset) });
  const batchContext = () => ({ ...context(), resolve: jest.fn((_: IncomingMessage) => undefined) });
  const idsOf = (events: readonly StrataEvent[]) => events.map((one) => one.id);
  const resolvedOffsets = (delivery: ReturnType<typeof batchContext>) => delivery.resolve.mock.calls.map(([resolved]) => resolved.offset);
  const batchProcessor = (bus: EventBus, handleBatch: (events: readonly StrataEvent<'io.strata.registry.stack.created.v1'>[]) => Promise<void>) =>
    createBatchEventProcessor({ groupId: 'g', bus, type: 'io.strata.registry.stack.created.v1', backoff: fastBackoff, handleBatch });

  it('hands the valid events of its type to one call, in order, dead-lettering the invalid and skipping other types', async () => {
    const bus = recordingBus();
    const calls: string[][] = [];
    const sut = batchProcessor(bus, async (events) => void calls.push(idsOf(events)));
    const otherType = { ...message(JSON.stringify({ ...JSON.parse(event), id: 'other', type: 'io.strata.registry.environment.added.v1', data: { stack: 'checkout', environment: { name: 'staging' } } })), offset: '2' };
    const delivery = batchContext();
    await sut([created('a', 0), { ...message('{"not":"an event"'), offset: '1' }, otherType, created('b', 3)], delivery);
    expect(calls).toEqual([['a', 'b']]);
    expect(bus.published.map((published) => published.headers?.[DeadLetterHeaders.originalOffset])).toEqual(['1']);
  });

  it('handles the events one by one when their batch fails, so only the bad one is dead-lettered', async () => {
    const bus = recordingBus();
    const calls: string[][] = [];
    const sut = batchProcessor(bus, async (events) => {
      calls.push(idsOf(events));
      if (idsOf(events).includes('bad')) {
        throw new DomainError(DomainErrorCode.InvalidInput, 'refused');
      }
    });
    const delivery = batchContext();
    await sut([created('a', 5), created('bad', 6), created('c', 7)], delivery);
    expect(calls).toEqual([['a', 'bad', 'c'], ['a'], ['bad'], ['c']]);
    expect(bus.published).toEqual([
      expect.objectContaining({
        headers: expect.objectContaining({
          [DeadLetterHeaders.reason]: 'permanent failure handling io.strata.registry.stack.created.v1 bad: refused',
          [DeadLetterHeaders.originalOffset]: '6',
        }),
      }),
    ]);
    expect(resolvedOffsets(delivery)).toEqual(['5', '6', '7']);
    expect(delivery.heartbeat).toHaveBeenCalledTimes(3);
  });

  it('treats a batch of one event as createEventProcessor treats the event: retried while transient', async () => {
    const bus = recordingBus();
    let calls = 0;
    const sut = batchProcessor(bus, async () => {
      calls += 1;
      if (calls < 3) {
        throw new TransientFailure('database away');
      }
    });
    await sut([created('a', 0)], batchContext());
    expect(calls).toBe(3);
    expect(bus.published).toEqual([]);
  });

  it('leaves the events after one it could not finish unresolved when the consumer stops', async () => {
    const bus = recordingBus();
    const stopping = new AbortController();
    const sut = batchProcessor(bus, async (events) => {
      if (events.length > 1 || events[0]?.id === 'b') {
        stopping.abort();
        throw new TransientFailure('database away');
      }
    });
    const delivery = { ...batchContext(), signal: stopping.signal };
    await expect(sut([created('a', 0), created('b', 1), created('c', 2)], delivery)).rejects.toBeInstanceOf(ConsumerStoppingError);
    expect(resolvedOffsets(delivery)).toEqual(['0']);
  });
});
