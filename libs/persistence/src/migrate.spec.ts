import { migrationLockKey } from './migrate';

describe(migrationLockKey.name, () => {
  it('is stable per schema and differs between schemas', () => {
    expect(migrationLockKey('registry')).toBe(migrationLockKey('registry'));
    expect(migrationLockKey('registry')).not.toBe(migrationLockKey('routing'));
  });

  it('fits a signed 64-bit integer', () => {
    const key = BigInt(migrationLockKey('metrics'));
    expect(key >= -(2n ** 63n) && key < 2n ** 63n).toBe(true);
  });
});
