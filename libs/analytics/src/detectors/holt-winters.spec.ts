import { HoltWinters } from './holt-winters';

describe(HoltWinters.name, () => {
  const parameters = { alpha: 0.2, beta: 0.05, gamma: 0.3, phi: 0.98 };
  const pattern = [0, 5, 10, 5];

  it('forecasts a repeating pattern exactly once fitted on it', () => {
    const history = Array.from({ length: 40 }, (_, i) => 100 + pattern[i % 4]!);
    const sut = HoltWinters.fitTo(history, 4, parameters);
    for (let i = 40; i < 48; i++) {
      expect(sut.forecast()).toBeCloseTo(100 + pattern[i % 4]!, 6);
      sut.update(100 + pattern[i % 4]!);
    }
  });

  it('follows a shifted level with the seasonal shape intact', () => {
    const sut = HoltWinters.fitTo(Array.from({ length: 40 }, (_, i) => 100 + pattern[i % 4]!), 4, parameters);
    for (let i = 40; i < 400; i++) sut.update(150 + pattern[i % 4]!);
    expect(sut.forecast()).toBeCloseTo(150 + pattern[0]!, 1);
  });

  it('keeps its phase across a missing value', () => {
    const sut = HoltWinters.fitTo(Array.from({ length: 8 }, (_, i) => pattern[i % 4]!), 4, parameters);
    sut.update(Number.NaN);
    expect(sut.forecast()).toBeCloseTo(pattern[1]!, 6);
  });

  it('needs one period of history', () => {
    expect(() => HoltWinters.fitTo([1, 2], 4, parameters)).toThrow(/period/);
  });

  it('restores from its JSON state', () => {
    const sut = HoltWinters.fitTo(Array.from({ length: 12 }, (_, i) => i + pattern[i % 4]!), 4, parameters);
    const restored = HoltWinters.fromJSON(JSON.parse(JSON.stringify(sut.toJSON())));
    sut.update(20);
    restored.update(20);
    expect(restored.forecast()).toBe(sut.forecast());
    expect(restored.period).toBe(4);
  });
});
