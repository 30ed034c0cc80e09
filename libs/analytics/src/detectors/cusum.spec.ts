import { Cusum } from './cusum';

describe(Cusum.name, () => {
  const parameters = { drift: 0.5, threshold: 5, clip: 4 };

  it('stays at rest on centred noise', () => {
    const sut = new Cusum(parameters);
    const steps = Array.from({ length: 200 }, (_, i) => sut.update(i % 2 === 0 ? 0.4 : -0.4));
    expect(steps.some((step) => step.changed)).toBe(false);
    expect(steps[steps.length - 1]!.evidence).toBe(0);
  });

  it('declares a change point after a sustained shift, in its direction, and restarts', () => {
    const sut = new Cusum(parameters);
    const steps = [1.5, 1.5, 1.5, 1.5, 1.5].map((z) => sut.update(z));
    expect(steps.map((step) => step.changed)).toEqual([false, false, false, false, true]);
    expect(steps[4]).toMatchObject({ direction: 'up', evidence: 1 });
    expect(sut.update(0).evidence).toBe(0);
  });

  it('detects a downward shift', () => {
    const sut = new Cusum(parameters);
    const steps = Array.from({ length: 4 }, () => sut.update(-2));
    expect(steps[3]).toMatchObject({ changed: true, direction: 'down' });
  });

  it('does not take one spike for a level shift', () => {
    const sut = new Cusum(parameters);
    expect(sut.update(50).changed).toBe(false);
  });

  it('restores from its JSON state', () => {
    const sut = new Cusum(parameters);
    sut.update(2);
    const restored = Cusum.fromJSON(JSON.parse(JSON.stringify(sut.toJSON())));
    expect(restored.update(2)).toEqual(sut.update(2));
  });
});
