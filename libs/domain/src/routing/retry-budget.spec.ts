import { RetryBudget } from './retry-budget';

describe(RetryBudget.name, () => {
  it('allows the per-second minimum at start', () => {
    const sut = new RetryBudget({ ratio: 0, minRetriesPerSecond: 2 }, 0);

    expect([sut.tryAcquire(0), sut.tryAcquire(0), sut.tryAcquire(0)]).toEqual([true, true, false]);
  });

  it('earns a retry per 1/ratio requests', () => {
    const sut = new RetryBudget({ ratio: 0.25, minRetriesPerSecond: 0 }, 0);
    for (let index = 0; index < 3; index++) {
      sut.recordRequest();
    }
    expect(sut.tryAcquire(0)).toBe(false);

    sut.recordRequest();

    expect(sut.tryAcquire(0)).toBe(true);
    expect(sut.tryAcquire(0)).toBe(false);
  });

  it('refills over time at the per-second minimum', () => {
    const sut = new RetryBudget({ ratio: 0, minRetriesPerSecond: 4 }, 0);
    for (let index = 0; index < 4; index++) {
      sut.tryAcquire(0);
    }
    expect(sut.tryAcquire(0)).toBe(false);

    expect(sut.tryAcquire(250)).toBe(true);
    expect(sut.tryAcquire(250)).toBe(false);
  });

  it('caps what it saves at ten seconds of the minimum', () => {
    const sut = new RetryBudget({ ratio: 1, minRetriesPerSecond: 1 }, 0);
    for (let index = 0; index < 1_000; index++) {
      sut.recordRequest();
    }

    expect(sut.available(0)).toBe(10);
    expect(sut.available(60_000)).toBe(10);
  });

  it('ignores a clock that goes backwards', () => {
    const sut = new RetryBudget({ ratio: 0, minRetriesPerSecond: 1 }, 1_000);

    expect(sut.available(0)).toBe(1);
  });
});
