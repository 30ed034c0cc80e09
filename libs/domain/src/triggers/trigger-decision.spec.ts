import { IDLE_TRIGGER, TriggerTracking, decideTrigger } from './trigger-decision';

describe('trigger decisions', () => {
  const run = (holds: boolean[], options: { forMs: number; coolDownMs: number; lastFiredAt?: number | null }) => {
    let tracking: TriggerTracking = IDLE_TRIGGER;
    let lastFiredAt = options.lastFiredAt ?? null;
    return holds.map((holding, second) => {
      const now = second * 1_000;
      const decision = decideTrigger({ holds: holding, at: now, now, forMs: options.forMs, coolDownMs: options.coolDownMs, lastFiredAt }, tracking);
      tracking = decision.tracking;
      if (decision.outcome === 'fire') lastFiredAt = now;
      return decision.outcome;
    });
  };

  it('fires on the first evaluation that holds when no `for` is asked', () => {
    expect(run([false, true], { forMs: 0, coolDownMs: 60_000 })).toEqual(['idle', 'fire']);
  });

  it('fires once the condition held for `for`, and a break starts it over', () => {
    expect(run([true, true, false, true, true, true], { forMs: 2_000, coolDownMs: 60_000 })).toEqual(['holding', 'holding', 'idle', 'holding', 'holding', 'fire']);
  });

  it('does not fire again within the cool-down however the signal flaps, and does after it', () => {
    const outcomes = run([true, false, true, false, true, true, true], { forMs: 0, coolDownMs: 5_000 });
    expect(outcomes).toEqual(['fire', 'idle', 'cooling-down', 'idle', 'cooling-down', 'fire', 'cooling-down']);
  });

  it('measures `for` in signal time and the cool-down in its own clock', () => {
    const holding = decideTrigger({ holds: true, at: 10_000, now: 500_000, forMs: 2_000, coolDownMs: 60_000, lastFiredAt: null }, IDLE_TRIGGER);
    expect(holding).toEqual({ outcome: 'holding', tracking: { holdingSince: 10_000 } });
    expect(decideTrigger({ holds: true, at: 12_000, now: 500_100, forMs: 2_000, coolDownMs: 60_000, lastFiredAt: null }, holding.tracking).outcome).toBe('fire');
    expect(decideTrigger({ holds: true, at: 12_000, now: 500_100, forMs: 2_000, coolDownMs: 60_000, lastFiredAt: 450_000 }, holding.tracking).outcome).toBe('cooling-down');
  });

  it('honours a firing before this process started', () => {
    expect(run([true], { forMs: 0, coolDownMs: 5_000, lastFiredAt: -1_000 })).toEqual(['cooling-down']);
  });
});
