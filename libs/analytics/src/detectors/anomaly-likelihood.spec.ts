import { AnomalyLikelihood, logLikelihood } from './anomaly-likelihood';
import { gaussianTail } from './gaussian-tail';

describe(AnomalyLikelihood.name, () => {
  const parameters = { averagingWindow: 5, historicWindow: 500, learningPeriod: 50, minSigma: 0.01 };
  const steady = (i: number): number => 0.1 + 0.05 * Math.sin(i);

  it('reports 0.5 while learning', () => {
    const sut = new AnomalyLikelihood(parameters);
    expect(Array.from({ length: 50 }, (_, i) => sut.update(steady(i)))).toEqual(new Array<number>(50).fill(0.5));
  });

  it('is unremarkable for scores like their history and near 1 for a burst', () => {
    const sut = new AnomalyLikelihood(parameters);
    for (let i = 0; i < 400; i++) sut.update(steady(i));
    expect(sut.update(steady(400))).toBeLessThan(0.9);
    const burst = [1, 1, 1].map((score) => sut.update(score));
    expect(burst[2]).toBeGreaterThan(0.99999);
  });

  it('gets used to scores that are always high', () => {
    const sut = new AnomalyLikelihood(parameters);
    for (let i = 0; i < 400; i++) sut.update(i % 2 === 0 ? 0.9 : 0.2);
    expect(sut.update(0.9)).toBeLessThan(0.99);
  });

  describe('with precedent calibration', () => {
    /** 400 steady scores with runs of 1s (start → length), then a burst of five 0.9s. */
    const likelihoodOfLateBurst = (precedentCalibration: boolean, runs: ReadonlyMap<number, number>): number => {
      const sut = new AnomalyLikelihood({ ...parameters, precedentCalibration });
      const inRun = (i: number): boolean => [...runs].some(([start, length]) => i >= start && i < start + length);
      for (let i = 0; i < 400; i++) sut.update(inRun(i) ? 1 : steady(i));
      return [0.9, 0.9, 0.9, 0.9, 0.9].map((score) => sut.update(score))[4];
    };

    it('judges a burst smaller than several earlier ones by their share, not by the thin normal tail', () => {
      const bursts = new Map([
        [150, 8],
        [250, 8],
      ]);
      expect(likelihoodOfLateBurst(false, bursts)).toBeGreaterThan(0.9999);
      // Four averages of each earlier burst were 1 (higher than 0.9): 8 of the 404 past averages.
      expect(likelihoodOfLateBurst(true, bursts)).toBeCloseTo(1 - 8 / 404, 12);
    });

    it('lets one earlier spike (in the average for averagingWindow samples) leave the next burst as rare as the normal says', () => {
      const spike = new Map([[200, 1]]);
      expect(likelihoodOfLateBurst(true, spike)).toBe(likelihoodOfLateBurst(false, spike));
      expect(likelihoodOfLateBurst(true, spike)).toBeGreaterThan(0.9999);
    });
  });

  describe("with nupic's lower bounds (mean 0.03, variance 0.0003)", () => {
    const numenta = { ...parameters, minSigma: Math.sqrt(0.0003), minMean: 0.03 };
    /** 400 perfectly predicted samples (raw score 0), then five small blips of 0.05: the last one's likelihood. */
    const likelihoodOfSmallBlip = (minMean: number): number => {
      const sut = new AnomalyLikelihood({ ...numenta, minMean });
      for (let i = 0; i < 400; i++) sut.update(0);
      return [0.05, 0.05, 0.05, 0.05, 0.05].map((score) => sut.update(score))[4];
    };

    it('judges a blip on a perfectly predicted series against the floored mean, not against 0', () => {
      // The averages were all 0: σ is the floor, and the mean is raised to 0.03.
      expect(likelihoodOfSmallBlip(0.03)).toBeCloseTo(1 - gaussianTail((0.05 - 0.03) / Math.sqrt(0.0003)), 12);
      expect(likelihoodOfSmallBlip(0.03)).toBeLessThan(0.9);
      // Without the mean floor the same blip is a 3σ event (the mean of the 404 past averages, 0.01 … 0.04 among them, is 0.1 / 404).
      expect(likelihoodOfSmallBlip(0)).toBeCloseTo(1 - gaussianTail((0.05 - 0.1 / 404) / Math.sqrt(0.0003)), 9);
      expect(likelihoodOfSmallBlip(0)).toBeGreaterThan(0.99);
    });

    it('leaves a series whose mean is above the floor as it was', () => {
      const run = (minMean: number): number[] => {
        const sut = new AnomalyLikelihood({ ...numenta, minMean });
        return Array.from({ length: 300 }, (_, i) => sut.update(i >= 290 ? 0.9 : steady(i)));
      };
      expect(run(0.03)).toEqual(run(0));
    });
  });

  it('restores from its JSON state', () => {
    const sut = new AnomalyLikelihood(parameters);
    for (let i = 0; i < 120; i++) sut.update(steady(i));
    const restored = AnomalyLikelihood.fromJSON(JSON.parse(JSON.stringify(sut.toJSON())));
    expect([0.8, 0.1, 0.5].map((score) => restored.update(score))).toEqual([0.8, 0.1, 0.5].map((score) => sut.update(score)));
  });
});

describe(logLikelihood.name, () => {
  const sut = logLikelihood;

  it("spreads the likelihood's top decades over [0, 1]", () => {
    expect(sut(0)).toBeCloseTo(0, 9);
    expect(sut(0.99999)).toBeCloseTo(0.5, 3);
    expect(sut(1)).toBeCloseTo(1, 9);
  });
});
