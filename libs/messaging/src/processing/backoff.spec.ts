import { backoffDelay, sleep } from './backoff';

describe(backoffDelay.name, () => {
  const policy = { initialMs: 100, maxMs: 1_000 };

  it('doubles per attempt up to the cap', () => {
    const top = () => 1;
    expect([1, 2, 3, 4, 5, 10].map((attempt) => backoffDelay(attempt, policy, top))).toEqual([100, 200, 400, 800, 1_000, 1_000]);
  });

  it('jitters between half and all of the ceiling', () => {
    expect(backoffDelay(3, policy, () => 0)).toBe(200);
  });
});

describe(sleep.name, () => {
  it('resolves true after the delay', async () => {
    await expect(sleep(1, new AbortController().signal)).resolves.toBe(true);
  });

  it('resolves false at once when aborted', async () => {
    const controller = new AbortController();
    const pending = sleep(60_000, controller.signal);
    controller.abort();
    await expect(pending).resolves.toBe(false);
  });
});
