import { StreamingAnomalyDetector } from '@strata/analytics';
import { isCurrentDetectorState } from './detector-state';

describe(isCurrentDetectorState.name, () => {
  const current = (): Record<string, unknown> => {
    const detector = new StreamingAnomalyDetector();
    [1, 2, 3].forEach((value) => detector.update(value));
    return JSON.parse(JSON.stringify(detector.toJSON())) as Record<string, unknown>;
  };

  it('accepts a state this detector wrote, after a trip through JSON', () => {
    expect(isCurrentDetectorState(current())).toBe(true);
  });

  it('refuses a state with a part missing, added, or a different config', () => {
    const { cusum: _cusum, ...missing } = current();
    expect(isCurrentDetectorState(missing)).toBe(false);
    expect(isCurrentDetectorState({ ...current(), retired: 1 })).toBe(false);
    expect(isCurrentDetectorState({ ...current(), config: { ewmaAlpha: 0.1 } })).toBe(false);
    expect(isCurrentDetectorState(null)).toBe(false);
  });
});
