import { holmAdjust } from './holm';

describe(holmAdjust.name, () => {
  it("multiplies the i-th smallest of k p-values by k − i + 1 and keeps them monotone, as R's p.adjust(method = 'holm')", () => {
    // Sorted 0.01, 0.02, 0.03, 0.5 → 0.04, 0.06, 0.06 (0.03·2, raised to the running maximum), 0.5.
    const sut = holmAdjust([0.03, 0.5, 0.01, 0.02]);
    [0.06, 0.5, 0.04, 0.06].forEach((expected, index) => expect(sut[index]).toBeCloseTo(expected, 15));
  });

  it('caps adjusted p-values at 1 and never lets a larger raw p-value come out smaller', () => {
    // 2 × 0.6 = 1.2 is capped to 1; 0.7 alone would stay 0.7 but is raised to the running maximum.
    expect(holmAdjust([0.6, 0.7])).toEqual([1, 1]);
    expect(holmAdjust([0.4, 0.6])).toEqual([0.8, 0.8]);
  });

  it('leaves a single p-value alone and an empty family empty', () => {
    expect(holmAdjust([0.013])).toEqual([0.013]);
    expect(holmAdjust([])).toEqual([]);
  });
});
