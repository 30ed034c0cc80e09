import { RELATIVE_ACCURACY, exactQuantile, mergeSketches, sketchKey, sketchOf, sketchQuantile } from './quantile-sketch';

describe('quantile sketch', () => {
  describe(sketchKey.name, () => {
    it('puts zero, positives and negatives in distinct buckets', () => {
      expect(sketchKey(0)).toBe('z');
      expect(sketchKey(3)).toMatch(/^p\d+$/);
      expect(sketchKey(-3)).toMatch(/^n\d+$/);
      expect(sketchKey(0.001)).toMatch(/^p-\d+$/);
    });
  });

  describe(sketchQuantile.name, () => {
    it.each([0.5, 0.95, 0.99])('answers quantile %p within the relative accuracy of the exact value', (quantile) => {
      const values = Array.from({ length: 5_000 }, (_, index) => Math.exp(Math.sin(index * 12.9898) * 6) * (index % 7 === 0 ? -1 : 1));
      const exact = exactQuantile(values, quantile)!;
      const sut = sketchQuantile(sketchOf(values), quantile)!;
      expect(Math.abs(sut - exact)).toBeLessThanOrEqual(Math.abs(exact) * RELATIVE_ACCURACY);
    });

    it('gives the same answers for merged halves as for the whole', () => {
      const values = Array.from({ length: 1_000 }, (_, index) => (index * 37) % 101);
      const merged = mergeSketches(sketchOf(values.slice(0, 400)), sketchOf(values.slice(400)));
      expect(sketchQuantile(merged, 0.95)).toBe(sketchQuantile(sketchOf(values), 0.95));
    });

    it('clamps into the known extremes and answers null when empty', () => {
      expect(sketchQuantile(sketchOf([10, 10, 10]), 0.99, { min: 10, max: 10 })).toBe(10);
      expect(sketchQuantile({}, 0.5)).toBeNull();
    });

    it('orders negative, zero and positive buckets by value', () => {
      const sketch = sketchOf([-100, -1, 0, 1, 100]);
      expect(sketchQuantile(sketch, 0.2)).toBeLessThan(-90);
      expect(sketchQuantile(sketch, 0.4)).toBeCloseTo(-1, 1);
      expect(sketchQuantile(sketch, 0.6)).toBe(0);
      expect(sketchQuantile(sketch, 1)).toBeGreaterThan(90);
    });
  });

  describe(exactQuantile.name, () => {
    it('uses the nearest rank', () => {
      expect(exactQuantile([5, 1, 4, 2, 3], 0.5)).toBe(3);
      expect(exactQuantile([5, 1, 4, 2, 3], 0.99)).toBe(5);
      expect(exactQuantile([], 0.5)).toBeNull();
    });
  });
});
