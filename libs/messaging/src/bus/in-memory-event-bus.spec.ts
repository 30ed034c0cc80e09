import { describeEventBusContract } from './event-bus.contract';
import { InMemoryEventBus } from './in-memory-event-bus';

describeEventBusContract('in-memory', () => new InMemoryEventBus(3), 5_000);

describe(InMemoryEventBus.name, () => {
  it('refuses to publish once stopped', async () => {
    const sut = new InMemoryEventBus(1);
    await sut.start();
    await sut.stop();
    await expect(sut.publish([{ topic: 'anomalies', key: null, value: 'x' }])).rejects.toThrow('stopped');
    await expect(sut.probe()).rejects.toThrow('not running');
  });

  it('refuses a second subscription of one group', async () => {
    const sut = new InMemoryEventBus(1);
    await sut.start();
    await sut.subscribe({ groupId: 'g', topics: ['anomalies'], handler: async () => undefined });
    await expect(sut.subscribe({ groupId: 'g', topics: ['anomalies'], handler: async () => undefined })).rejects.toThrow("'g'");
    await sut.stop();
  });

  it('trims what every group consumed', async () => {
    const sut = new InMemoryEventBus(1);
    await sut.start();
    const seen: string[] = [];
    await sut.subscribe({ groupId: 'g', topics: ['forecasts'], handler: async (message) => void seen.push(message.offset) });
    await sut.publish([1, 2, 3].map((value) => ({ topic: 'forecasts' as const, key: 'k', value: String(value) })));
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(seen).toEqual(['0', '1', '2']);
    const late: string[] = [];
    await sut.subscribe({ groupId: 'late', topics: ['forecasts'], handler: async (message) => void late.push(message.offset) });
    await sut.publish([{ topic: 'forecasts', key: 'k', value: '4' }]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(late).toEqual(['3']);
    await sut.stop();
  });
});
