import { DeadLetterHeaders } from '@strata/contracts';
import { DLQ_MAX_VALUE_BYTES, createEventProcessor } from '../processing/event-processor';
import { EventBus, IncomingMessage } from './event-bus';

async function eventually(assertion: () => void, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      assertion();
      return;
    } catch (error) {
      if (Date.now() > deadline) {
        throw error;
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}

function validEvent(stack: string, sequence: number): string {
  return JSON.stringify({
    specversion: '1.0',
    id: `${stack}-${sequence}`,
    source: '/strata/contract-test',
    type: 'io.strata.registry.environment.added.v1',
    time: new Date().toISOString(),
    subject: stack,
    datacontenttype: 'application/json',
    data: { stack, environment: { name: `env-${sequence}` } },
  });
}

/**
 * The semantics every EventBus transport promises. Run against the in-memory transport as a
 * unit spec and against a real Kafka broker as an integration spec.
 */
export function describeEventBusContract(transport: string, createBus: () => EventBus, timeoutMs: number): void {
  describe(`EventBus contract: ${transport}`, () => {
    let bus: EventBus;

    beforeEach(async () => {
      bus = createBus();
      await bus.start();
    }, timeoutMs);

    afterEach(async () => {
      await bus.stop();
    }, timeoutMs);

    it(
      'keeps messages of one key in order',
      async () => {
        const seen: string[] = [];
        await bus.subscribe({
          groupId: 'ordering',
          topics: ['registry.events'],
          handler: async (message) => {
            seen.push(message.value!.toString());
          },
        });
        const sent = Array.from({ length: 40 }, (_, index) => `m-${index}`);
        for (const value of sent) {
          await bus.publish([{ topic: 'registry.events', key: 'checkout', value }]);
        }
        await eventually(() => expect(seen).toEqual(sent), timeoutMs);
      },
      timeoutMs * 2,
    );

    it(
      'redelivers a message whose handler failed, then moves on',
      async () => {
        const attempts: string[] = [];
        let failNext = true;
        await bus.subscribe({
          groupId: 'redelivery',
          topics: ['registry.events'],
          handler: async (message: IncomingMessage) => {
            const value = message.value!.toString();
            attempts.push(value);
            if (value === 'second' && failNext) {
              failNext = false;
              throw new Error('transient trouble');
            }
          },
        });
        await bus.publish(['first', 'second', 'third'].map((value) => ({ topic: 'registry.events' as const, key: 'k', value })));
        await eventually(() => expect(attempts).toEqual(['first', 'second', 'second', 'third']), timeoutMs);
      },
      timeoutMs * 2,
    );

    it(
      'hands a batch subscription at most maxBatchSize messages of one partition per call, in order',
      async () => {
        const batches: string[][] = [];
        await bus.subscribe({
          groupId: 'batches',
          topics: ['registry.events'],
          maxBatchSize: 3,
          batchHandler: async (messages) => {
            expect(new Set(messages.map((message) => message.partition)).size).toBe(1);
            batches.push(messages.map((message) => message.value!.toString()));
          },
        });
        const sent = Array.from({ length: 10 }, (_, index) => `b-${index}`);
        await bus.publish(sent.map((value) => ({ topic: 'registry.events' as const, key: 'one-key', value })));
        await eventually(() => expect(batches.flat()).toEqual(sent), timeoutMs);
        // Published together, so they are ready together: full batches, not one message at a time.
        expect(batches.map((batch) => batch.length)).toEqual([3, 3, 3, 1]);
      },
      timeoutMs * 2,
    );

    it(
      'redelivers the messages of a failed batch that its handler had not resolved',
      async () => {
        const deliveries: string[][] = [];
        let failNext = true;
        await bus.subscribe({
          groupId: 'batch-redelivery',
          topics: ['registry.events'],
          maxBatchSize: 10,
          batchHandler: async (messages, context) => {
            deliveries.push(messages.map((message) => message.value!.toString()));
            if (failNext) {
              failNext = false;
              context.resolve(messages[1]!);
              throw new Error('failed after the second message');
            }
          },
        });
        await bus.publish(['a', 'b', 'c', 'd'].map((value) => ({ topic: 'registry.events' as const, key: 'k', value })));
        await eventually(() => expect(deliveries).toEqual([['a', 'b', 'c', 'd'], ['c', 'd']]), timeoutMs);
      },
      timeoutMs * 2,
    );

    it(
      'gives every consumer group every message',
      async () => {
        const byGroup: Record<string, string[]> = { a: [], b: [] };
        for (const group of ['a', 'b']) {
          await bus.subscribe({
            groupId: `fan-out-${group}`,
            topics: ['kpi.samples'],
            handler: async (message) => {
              byGroup[group]!.push(message.value!.toString());
            },
          });
        }
        await bus.publish([1, 2, 3].map((value) => ({ topic: 'kpi.samples' as const, key: `series-${value}`, value: String(value) })));
        await eventually(() => {
          expect([...byGroup['a']!].sort()).toEqual(['1', '2', '3']);
          expect([...byGroup['b']!].sort()).toEqual(['1', '2', '3']);
        }, timeoutMs);
      },
      timeoutMs * 2,
    );

    it(
      'dead-letters a malformed message with its reason and keeps the partition moving',
      async () => {
        const handled: string[] = [];
        const deadLetters: IncomingMessage[] = [];
        await bus.subscribe({
          groupId: 'dlq-watch',
          topics: ['dlq'],
          handler: async (message) => {
            deadLetters.push(message);
          },
        });
        await bus.subscribe({
          groupId: 'poison',
          topics: ['registry.events'],
          handler: createEventProcessor({
            groupId: 'poison',
            bus,
            handlers: {
              'io.strata.registry.environment.added.v1': async (event) => {
                handled.push(event.id);
              },
            },
          }),
        });
        await bus.publish([
          { topic: 'registry.events', key: 'shop', value: validEvent('shop', 1) },
          { topic: 'registry.events', key: 'shop', value: '{"not":"a cloud event"' },
          { topic: 'registry.events', key: 'shop', value: JSON.stringify({ ...JSON.parse(validEvent('shop', 9)), type: 'io.strata.unknown.v1' }) },
          { topic: 'registry.events', key: 'shop', value: validEvent('shop', 2) },
        ]);
        await eventually(() => {
          expect(handled).toEqual(['shop-1', 'shop-2']);
          expect(deadLetters).toHaveLength(2);
        }, timeoutMs);
        const [malformed, unknown] = deadLetters;
        expect(malformed!.value!.toString()).toBe('{"not":"a cloud event"');
        expect(malformed!.key).toBe('shop');
        expect(malformed!.headers).toMatchObject({
          [DeadLetterHeaders.reason]: expect.stringMatching(/^value is not JSON/),
          [DeadLetterHeaders.originalTopic]: 'registry.events',
          [DeadLetterHeaders.consumerGroup]: 'poison',
          [DeadLetterHeaders.originalPartition]: expect.stringMatching(/^\d+$/),
          [DeadLetterHeaders.originalOffset]: expect.stringMatching(/^\d+$/),
        });
        expect(unknown!.headers[DeadLetterHeaders.reason]).toBe("unknown event type 'io.strata.unknown.v1'");
        expect(Number(unknown!.headers[DeadLetterHeaders.originalOffset])).toBe(Number(malformed!.headers[DeadLetterHeaders.originalOffset]) + 1);
      },
      timeoutMs * 2,
    );

    it(
      "dead-letters a value near the broker's record limit as its first bytes and its size, and keeps the partition moving",
      async () => {
        const handled: string[] = [];
        const deadLetters: IncomingMessage[] = [];
        await bus.subscribe({ groupId: 'dlq-watch-large', topics: ['dlq'], handler: async (message) => void deadLetters.push(message) });
        await bus.subscribe({
          groupId: 'poison-large',
          topics: ['rollback.events'],
          handler: createEventProcessor({
            groupId: 'poison-large',
            bus,
            handlers: {
              'io.strata.registry.environment.added.v1': async (event) => {
                handled.push(event.id);
              },
            },
          }),
        });
        // Under Kafka's default 1 MB record limit alone, over it with the dead-letter headers added to a whole copy.
        const large = 'y'.repeat(1_040_000);
        await bus.publish([{ topic: 'rollback.events', key: 'large', value: large }]);
        await bus.publish([{ topic: 'rollback.events', key: 'large', value: validEvent('large', 1) }]);
        await eventually(() => {
          expect(handled).toEqual(['large-1']);
          expect(deadLetters.filter((message) => message.headers[DeadLetterHeaders.consumerGroup] === 'poison-large')).toHaveLength(1);
        }, timeoutMs);
        const [copy] = deadLetters.filter((message) => message.headers[DeadLetterHeaders.consumerGroup] === 'poison-large');
        expect(copy!.value!.length).toBe(DLQ_MAX_VALUE_BYTES);
        expect(copy!.headers[DeadLetterHeaders.truncatedFrom]).toBe(String(large.length));
        expect(copy!.headers[DeadLetterHeaders.reason]).toMatch(/^value is not JSON/);
      },
      timeoutMs * 2,
    );

    it(
      'stops one subscription while the bus keeps serving others',
      async () => {
        const stopped: string[] = [];
        const running: string[] = [];
        const handle = await bus.subscribe({ groupId: 'stopped', topics: ['anomalies'], handler: async (message) => void stopped.push(message.value!.toString()) });
        await bus.subscribe({ groupId: 'running', topics: ['anomalies'], handler: async (message) => void running.push(message.value!.toString()) });
        await bus.publish([{ topic: 'anomalies', key: 'x', value: 'before' }]);
        await eventually(() => expect(stopped).toEqual(['before']), timeoutMs);
        await handle.stop();
        await bus.publish([{ topic: 'anomalies', key: 'x', value: 'after' }]);
        await eventually(() => expect(running).toEqual(['before', 'after']), timeoutMs);
        expect(stopped).toEqual(['before']);
      },
      timeoutMs * 2,
    );

    it(
      "reports a group's positions: a message counts as applied once its handler has resolved, not when it is delivered",
      async () => {
        const lag = async () => (await bus.positions('positions', 'registry.events')).reduce((total, position) => total + position.end - position.applied, 0);
        await bus.publish(['p-1', 'p-2', 'p-3'].map((value) => ({ topic: 'registry.events' as const, key: 'positions', value })));
        expect(await lag()).toBe(3); // not subscribed yet: the group stands at the start
        let release: () => void = () => undefined;
        const held = new Promise<void>((resolve) => (release = resolve));
        const delivered: string[] = [];
        await bus.subscribe({
          groupId: 'positions',
          topics: ['registry.events'],
          handler: async (message) => {
            delivered.push(message.value!.toString());
            if (message.value!.toString() === 'p-2') await held;
          },
        });
        await eventually(() => expect(delivered).toEqual(['p-1', 'p-2']), timeoutMs);
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(await lag()).toBeGreaterThanOrEqual(2); // p-2 is being handled, p-3 waits
        release();
        const deadline = Date.now() + timeoutMs;
        while ((await lag()) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 100));
        expect(await lag()).toBe(0);
        expect(delivered).toEqual(['p-1', 'p-2', 'p-3']);
        const positions = await bus.positions('positions', 'registry.events');
        expect(positions.map((position) => position.partition).sort()).toEqual(positions.map((_, index) => index));
      },
      timeoutMs * 2,
    );

    it(
      'gives an ephemeral subscription what is written once it hears, not what was written before it subscribed',
      async () => {
        await bus.publish([{ topic: 'anomalies', key: 'e', value: 'before' }]);
        const heard: string[] = [];
        const handle = await bus.subscribe({ groupId: 'ephemeral', topics: ['anomalies'], ephemeral: true, handler: async (message) => void heard.push(message.value!.toString()) });
        // A Kafka group joins a moment after subscribe() resolves: write until it hears.
        const deadline = Date.now() + timeoutMs;
        for (let attempt = 0; !heard.some((value) => value.startsWith('after')) && Date.now() < deadline; attempt += 1) {
          await bus.publish([{ topic: 'anomalies', key: 'e', value: `after-${attempt}` }]);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
        expect(heard.some((value) => value.startsWith('after'))).toBe(true);
        expect(heard).not.toContain('before');
        await handle.stop();
      },
      timeoutMs * 2,
    );

    it('answers its health probe while running', async () => {
      await expect(bus.probe()).resolves.not.toThrow();
    });
  });
}
