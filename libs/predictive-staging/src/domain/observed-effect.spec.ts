import { observedEffect } from './observed-effect';

describe(observedEffect.name, () => {
  const at = new Date('2026-12-08T10:00:00Z');

  it('sets the reduction production showed beside the predicted one', () => {
    const sut = observedEffect(['a', 'b'], [{ medianMs: 30 }, { medianMs: 10 }], [{ medianMs: 3 }, { medianMs: 1 }], 0.8, 'explain', at);
    expect(sut).toEqual({
      method: 'explain',
      statements: [
        { sql: 'a', beforeMs: 30, afterMs: 3 },
        { sql: 'b', beforeMs: 10, afterMs: 1 },
      ],
      timeReduction: 0.9,
      predictedTimeReduction: 0.8,
      measuredAt: '2026-12-08T10:00:00.000Z',
    });
  });

  it('lists a statement that failed with its error and leaves it out of the reduction', () => {
    const sut = observedEffect(['a', 'b'], [{ medianMs: 20 }, new Error('permission denied')], [{ medianMs: 5 }, { medianMs: 1 }], null, 'explain', at);
    expect(sut.statements[1]).toEqual({ sql: 'b', beforeMs: null, afterMs: 1, error: 'permission denied' });
    expect(sut.timeReduction).toBe(0.75);
  });

  it('says nothing was measured rather than claiming no change', () => {
    expect(observedEffect(['a'], [new Error('x')], [new Error('y')], 0.5, 'explain', at).timeReduction).toBeNull();
    expect(observedEffect([], [], [], 0.5, 'explain', at).timeReduction).toBeNull();
  });
});
