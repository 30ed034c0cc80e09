import { ConsumerPosition } from '@strata/messaging';
import { CapturedLogs, Logger, captureLogs } from '@strata/observability';
import { KpiSamplesWatermark, POSITIONS_WAIT_MS } from './kpi-samples-watermark';

const atEnd: ConsumerPosition[] = [{ partition: 0, applied: 5, end: 5 }];

describe(KpiSamplesWatermark.name, () => {
  let logs: CapturedLogs;
  const logged = () => logs.lines.map((line) => JSON.parse(line) as { level: string; msg: string });

  beforeEach(() => {
    logs = captureLogs('info');
    jest.useFakeTimers({ doNotFake: ['Date', 'performance'] });
  });

  afterEach(() => {
    jest.useRealTimers();
    logs.restore();
  });

  it('is the moment it asked once the group is found at the ends it read', async () => {
    const sut = new KpiSamplesWatermark(async () => atEnd, new Logger('test'));
    await expect(sut.appliedAt(1_000)).resolves.toBe(1_000);
    expect(logged()).toEqual([]);
  });

  it('gives up waiting on a bus that does not answer, asks it nothing more meanwhile, says so once, and takes the late answer at the moment it asked', async () => {
    let answer: (positions: ConsumerPosition[]) => void = () => undefined;
    const read = jest
      .fn<Promise<ConsumerPosition[]>, []>(async () => atEnd)
      .mockImplementationOnce(() => new Promise<ConsumerPosition[]>((resolve) => (answer = resolve)));
    const sut = new KpiSamplesWatermark(read, new Logger('test'));

    const first = sut.appliedAt(1_000);
    await jest.advanceTimersByTimeAsync(POSITIONS_WAIT_MS);
    await expect(first).resolves.toBeNull();
    const second = sut.appliedAt(4_000);
    await jest.advanceTimersByTimeAsync(POSITIONS_WAIT_MS);
    await expect(second).resolves.toBeNull();
    expect(read).toHaveBeenCalledTimes(1);
    expect(logged().map((line) => line.level)).toEqual(['warn']);

    answer(atEnd);
    // Asked at 1 s: the ends it holds say nothing about what was written after that.
    await expect(sut.appliedAt(7_000)).resolves.toBe(1_000);
    expect(logged().map((line) => line.level)).toEqual(['warn', 'info']);
    await expect(sut.appliedAt(8_000)).resolves.toBe(8_000);
    expect(read).toHaveBeenCalledTimes(2);
  });

  it('keeps the watermark it had when a question fails', async () => {
    const read = jest.fn<Promise<ConsumerPosition[]>, []>().mockResolvedValueOnce(atEnd).mockRejectedValueOnce(new Error('broker away'));
    const sut = new KpiSamplesWatermark(read, new Logger('test'));
    await expect(sut.appliedAt(1_000)).resolves.toBe(1_000);
    await expect(sut.appliedAt(2_000)).resolves.toBe(1_000);
    expect(logged()).toEqual([expect.objectContaining({ level: 'warn', reason: 'broker away' })]);
  });
});
