import { fitStandardScaler, scaleValues, unscaleValues } from './scaler';

describe(fitStandardScaler.name, () => {
  const sut = fitStandardScaler;

  it('fits mean and population standard deviation', () => {
    expect(sut([2, 4, 4, 4, 5, 5, 7, 9])).toEqual({ mean: 5, std: 2 });
  });

  it('scales a constant series by 1 and refuses no values', () => {
    expect(sut([3, 3])).toEqual({ mean: 3, std: 1 });
    expect(() => sut([])).toThrow(RangeError);
  });
});

describe(scaleValues.name, () => {
  it('standardises and unscaleValues inverts it', () => {
    const scaler = { mean: 5, std: 2 };
    const sut = scaleValues(scaler, [1, 5, 9]);
    expect(sut).toEqual([-2, 0, 2]);
    expect(unscaleValues(scaler, sut)).toEqual([1, 5, 9]);
  });
});
