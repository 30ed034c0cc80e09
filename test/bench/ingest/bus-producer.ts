/*
 * The bench's kpi.samples producer, a process of its own as the gateways that flush KPIs are: its
 * encoding and produce requests take a core of their own, not the service's event loop. Driven by
 * ingest.bench.ts over IPC: `load` a file of messages (JSON lines) ahead of a measurement, then
 * `publish` them, answering `loaded` and `published`.
 */
import { readFileSync } from 'node:fs';
import { KafkaEventBus, OutgoingMessage } from '@strata/messaging';
import { setLogLevel } from '@strata/observability';

/** Flushes per produce request: a Kafka record batch stays under the broker's 1 MB message.max.bytes. */
const FLUSHES_PER_PRODUCE = 16;

type Command = { load: string } | { publish: true };

async function main(): Promise<void> {
  setLogLevel('error');
  const [brokers, topicPrefix, partitions] = process.argv.slice(2);
  const bus = new KafkaEventBus({ brokers: brokers!.split(','), clientId: 'bench-ingest-producer', topicPrefix: topicPrefix!, partitions: Number(partitions), replicationFactor: 1 });
  await bus.start();
  let messages: OutgoingMessage[] = [];
  process.on('message', (command: Command) => {
    void (async () => {
      if ('load' in command) {
        messages = readFileSync(command.load, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line) as OutgoingMessage);
        process.send!('loaded');
        return;
      }
      for (let offset = 0; offset < messages.length; offset += FLUSHES_PER_PRODUCE) {
        await bus.publish(messages.slice(offset, offset + FLUSHES_PER_PRODUCE));
      }
      process.send!('published');
    })().catch((error: unknown) => {
      process.stderr.write(`bench:ingest producer: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exit(1);
    });
  });
  process.on('disconnect', () => void bus.stop().finally(() => process.exit(0)));
  process.send!('ready');
}

void main();
