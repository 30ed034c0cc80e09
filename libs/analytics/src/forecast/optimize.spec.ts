import { minimizeInBox } from './optimize';

describe(minimizeInBox.name, () => {
  const sut = minimizeInBox;

  it('finds the minimum of a 1-D parabola inside the box', () => {
    const { point, value } = sut(([x]) => (x - 0.37) ** 2, 1);
    expect(point[0]).toBeCloseTo(0.37, 2);
    expect(value).toBeLessThan(1e-5);
  });

  it('finds the minimum of a 3-D bowl', () => {
    const target = [0.2, 0.55, 0.8];
    const { point } = sut((p) => p.reduce((sum, x, i) => sum + (x - target[i]) ** 2, 0), 3);
    point.forEach((x, i) => expect(x).toBeCloseTo(target[i], 2));
  });

  it('stays on the boundary when the minimum lies outside the box', () => {
    const { point } = sut(([x]) => (x - 2) ** 2, 1, { lower: 0, upper: 1 });
    expect(point[0]).toBe(1);
  });
});
