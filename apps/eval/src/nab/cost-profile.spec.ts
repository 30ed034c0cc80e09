import { NAB_DEFAULT_PROFILES, parseNabProfiles } from './cost-profile';

describe(parseNabProfiles.name, () => {
  const sut = parseNabProfiles;

  it("reads NAB's profiles.json shape", () => {
    expect(sut({ strict: { CostMatrix: { tpWeight: 1, fnWeight: 3, fpWeight: 0.5, tnWeight: 1 } } })).toEqual({
      strict: { tpWeight: 1, fnWeight: 3, fpWeight: 0.5, tnWeight: 1 },
    });
  });

  it('round-trips the built-in defaults', () => {
    const json = Object.fromEntries(Object.entries(NAB_DEFAULT_PROFILES).map(([name, matrix]) => [name, { CostMatrix: matrix }]));
    expect(sut(json)).toEqual(NAB_DEFAULT_PROFILES);
  });

  it('names a missing weight', () => {
    expect(() => sut({ standard: { CostMatrix: { tpWeight: 1, fnWeight: 1, tnWeight: 1 } } })).toThrow(/standard.*fpWeight/);
  });
});
