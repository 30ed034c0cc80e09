/** Weights of one NAB application profile (NAB's `config/profiles.json`, key `CostMatrix`). */
export interface CostMatrix {
  readonly tpWeight: number;
  readonly fpWeight: number;
  readonly fnWeight: number;
  readonly tnWeight: number;
}

export type CostProfiles = Readonly<Record<string, CostMatrix>>;

/** NAB v1.1's three profiles, used when no profiles.json is supplied. */
export const NAB_DEFAULT_PROFILES: CostProfiles = {
  standard: { tpWeight: 1.0, fnWeight: 1.0, fpWeight: 0.11, tnWeight: 1.0 },
  reward_low_FP_rate: { tpWeight: 1.0, fnWeight: 1.0, fpWeight: 0.22, tnWeight: 1.0 },
  reward_low_FN_rate: { tpWeight: 1.0, fnWeight: 2.0, fpWeight: 0.11, tnWeight: 1.0 },
};

const WEIGHT_NAMES = ['tpWeight', 'fpWeight', 'fnWeight', 'tnWeight'] as const;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads NAB's profiles.json shape: `{ "<profile>": { "CostMatrix": { "tpWeight": 1, … } } }`. */
export function parseNabProfiles(json: unknown): CostProfiles {
  if (!isRecord(json)) throw new Error('profiles must be an object of profile name to { CostMatrix }');
  const profiles: Record<string, CostMatrix> = {};
  for (const [name, profile] of Object.entries(json)) {
    const matrix = isRecord(profile) ? profile['CostMatrix'] : undefined;
    if (!isRecord(matrix)) throw new Error(`profile '${name}' has no CostMatrix object`);
    const weights: Partial<Record<(typeof WEIGHT_NAMES)[number], number>> = {};
    for (const weight of WEIGHT_NAMES) {
      const value = matrix[weight];
      if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`profile '${name}' needs a numeric ${weight}`);
      weights[weight] = value;
    }
    profiles[name] = weights as CostMatrix;
  }
  return profiles;
}
