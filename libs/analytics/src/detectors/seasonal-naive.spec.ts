import { SeasonalNaive } from './seasonal-naive';

describe(SeasonalNaive.name, () => {
  it('forecasts the value one period ago once a period is seen', () => {
    const sut = new SeasonalNaive(3);
    [1, 2].forEach((value) => sut.update(value));
    expect(sut.forecast()).toBeNull();
    sut.update(3);
    expect(sut.forecast()).toBe(1);
    sut.update(4);
    expect(sut.forecast()).toBe(2);
  });

  it('repeats the seasonal value for a missing one', () => {
    const sut = new SeasonalNaive(2, [7, 8]);
    sut.update(Number.NaN);
    expect(sut.toJSON().history).toEqual([8, 7]);
  });

  it('restores from its JSON state', () => {
    const sut = new SeasonalNaive(2, [1, 2, 3]);
    expect(SeasonalNaive.fromJSON(JSON.parse(JSON.stringify(sut.toJSON()))).forecast()).toBe(2);
  });
});
