import { Counter, Registry } from 'prom-client';
import { RequestOutcomes } from './request-outcomes';

describe(RequestOutcomes.name, () => {
  it('adds what was counted since the last drain to the counter, by outcome', async () => {
    const registry = new Registry();
    const counter = new Counter({ name: 'spec_requests_total', help: 'spec', labelNames: ['outcome'] as const, registers: [registry] });
    const sut = new RequestOutcomes();

    sut.count('forwarded');
    sut.count('forwarded');
    sut.count('request-timeout');
    sut.drainInto(counter);
    sut.count('forwarded');
    sut.drainInto(counter);
    sut.drainInto(counter);

    const values = (await counter.get()).values.map((value) => [value.labels.outcome, value.value]);
    expect(values).toEqual([
      ['forwarded', 3],
      ['request-timeout', 1],
    ]);
  });
});
