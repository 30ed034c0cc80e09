import { PeriodicTask } from './periodic-task';

describe(PeriodicTask.name, () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** Lets every pending promise callback run (fake timers leave the microtask queue alone). */
  const settled = async (): Promise<void> => {
    for (let turn = 0; turn < 20; turn++) {
      await Promise.resolve();
    }
  };

  /** A pass the test finishes by hand, counting how many started. */
  function controlledPass() {
    const finishers: (() => void)[] = [];
    const pass = jest.fn(() => new Promise<void>((resolve) => finishers.push(resolve)));
    return { pass, finishNext: () => finishers.shift()?.() };
  }

  it('runs a pass every interval, never two at once', async () => {
    const { pass, finishNext } = controlledPass();
    const sut = new PeriodicTask(pass, jest.fn());
    sut.start(1_000);

    jest.advanceTimersByTime(1_000);
    jest.advanceTimersByTime(1_000);
    expect(pass).toHaveBeenCalledTimes(1);
    finishNext();
    await settled();
    jest.advanceTimersByTime(1_000);
    expect(pass).toHaveBeenCalledTimes(2);
    finishNext();
    await sut.stop();
  });

  it('joins the running pass when run by hand', async () => {
    const { pass, finishNext } = controlledPass();
    const sut = new PeriodicTask(pass, jest.fn());

    const first = sut.runNow();
    const second = sut.runNow();
    finishNext();
    await Promise.all([first, second]);

    expect(pass).toHaveBeenCalledTimes(1);
  });

  it('hands a failed pass to onError and runs the next one', async () => {
    const onError = jest.fn();
    const pass = jest.fn().mockRejectedValueOnce(new Error('database away')).mockResolvedValue(undefined);
    const sut = new PeriodicTask(pass, onError);

    await sut.runNow();
    await sut.runNow();

    expect(onError).toHaveBeenCalledWith(new Error('database away'));
    expect(pass).toHaveBeenCalledTimes(2);
  });

  it('stop waits for the pass in flight and no pass starts after it', async () => {
    const { pass, finishNext } = controlledPass();
    const sut = new PeriodicTask(pass, jest.fn());
    sut.start(1_000);
    jest.advanceTimersByTime(1_000);

    let stopped = false;
    const stopping = sut.stop().then(() => (stopped = true));
    await Promise.resolve();
    expect(stopped).toBe(false);
    finishNext();
    await stopping;

    jest.advanceTimersByTime(10_000);
    expect(pass).toHaveBeenCalledTimes(1);
  });

  it('with an interval of 0 only runs by hand', () => {
    const pass = jest.fn().mockResolvedValue(undefined);
    new PeriodicTask(pass, jest.fn()).start(0);

    jest.advanceTimersByTime(60_000);

    expect(pass).not.toHaveBeenCalled();
  });
});
