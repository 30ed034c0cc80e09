import { OutlierEjection } from './outlier-ejection';

const settings = { consecutiveFailures: 3, baseEjectionMs: 1_000, maxEjectionMs: 3_000 };

function failTimes(sut: OutlierEjection, times: number, now: number): boolean[] {
  return Array.from({ length: times }, () => sut.recordFailure(now));
}

describe(OutlierEjection.name, () => {
  it('serves until the configured number of consecutive failures', () => {
    const sut = new OutlierEjection(settings);

    expect(failTimes(sut, 3, 0)).toEqual([false, false, true]);
    expect(sut.state(0)).toBe('ejected');
    expect(sut.isAvailable(0)).toBe(false);
  });

  it('forgets failures interrupted by a success', () => {
    const sut = new OutlierEjection(settings);
    failTimes(sut, 2, 0);

    expect(sut.recordSuccess(0)).toBe(false);
    failTimes(sut, 2, 0);

    expect(sut.state(0)).toBe('serving');
  });

  it('probes when the ejection time is over', () => {
    const sut = new OutlierEjection(settings);
    failTimes(sut, 3, 0);

    expect(sut.state(999)).toBe('ejected');
    expect(sut.state(1_000)).toBe('probing');
    expect(sut.isAvailable(1_000)).toBe(true);
  });

  it('serves again after a successful probe, with the backoff reset', () => {
    const sut = new OutlierEjection(settings);
    failTimes(sut, 3, 0);

    expect(sut.recordSuccess(1_000)).toBe(true);
    expect(sut.state(1_000)).toBe('serving');
    failTimes(sut, 3, 5_000);
    expect(sut.state(5_999)).toBe('ejected');
    expect(sut.state(6_000)).toBe('probing');
  });

  it('keeps climbing for a node that fails again soon after a probe brought it back', () => {
    const sut = new OutlierEjection(settings);
    failTimes(sut, 3, 0);
    expect(sut.recordSuccess(1_000)).toBe(true);

    failTimes(sut, 3, 1_500);

    expect(sut.state(3_499)).toBe('ejected');
    expect(sut.state(3_500)).toBe('probing');
    expect(sut.recordSuccess(3_500)).toBe(true);
    failTimes(sut, 3, 4_000);
    expect(sut.state(6_999)).toBe('ejected');
  });

  it('goes back out for twice as long after a failed probe, up to the maximum', () => {
    const sut = new OutlierEjection(settings);
    failTimes(sut, 3, 0);

    expect(sut.recordFailure(1_000)).toBe(true);
    expect(sut.state(2_999)).toBe('ejected');
    expect(sut.state(3_000)).toBe('probing');
    expect(sut.recordFailure(3_000)).toBe(true);
    expect(sut.state(5_999)).toBe('ejected');
    expect(sut.state(6_000)).toBe('probing');
    expect(sut.recordFailure(6_000)).toBe(true);
    expect(sut.state(8_999)).toBe('ejected');
    expect(sut.ejectionCount).toBe(4);
  });

  it('does not extend an ejection for failures of requests already in flight', () => {
    const sut = new OutlierEjection(settings);
    failTimes(sut, 3, 0);

    expect(sut.recordFailure(500)).toBe(false);
    expect(sut.state(1_000)).toBe('probing');
  });

  it('ignores successes before the ejection time is up (requests in flight, a health endpoint that answers while requests fail)', () => {
    const sut = new OutlierEjection(settings);
    failTimes(sut, 3, 0);

    expect(sut.recordSuccess(999)).toBe(false);
    expect(sut.state(999)).toBe('ejected');
    expect(sut.recordSuccess(1_000)).toBe(true);
    expect(sut.state(1_000)).toBe('serving');
  });
});
