import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { Break, BumpKind, classifyBump, isBreakingBump, requiresMajorBump } from './bump';

const operationRemoved: Break = { kind: 'operation-removed', location: 'DELETE /orders/{id}', message: 'the operation was removed' };
const columnDropped: Break = { kind: 'drop-column', location: 'statement 1 (line 1)', message: 'drops column orders.coupon_code' };

function errorOf(run: () => void): DomainError {
  try {
    run();
  } catch (error) {
    if (error instanceof DomainError) {
      return error;
    }
    throw error;
  }
  throw new Error('expected a DomainError');
}

describe(classifyBump.name, () => {
  const sut = classifyBump;

  it.each<[string, string, BumpKind]>([
    ['1.2.3', '2.0.0', 'major'],
    ['1.2.3', '2.0.0-rc.1', 'major'],
    ['0.9.9', '1.0.0', 'major'],
    ['1.2.3', '1.3.0', 'minor'],
    ['1.2.3', '1.3.0-beta.1', 'minor'],
    ['0.2.3', '0.3.0', 'minor'],
    ['1.2.3', '1.2.4', 'patch'],
    ['0.0.3', '0.0.4', 'patch'],
    ['1.2.3-rc.1', '1.2.4', 'patch'],
    ['2.0.0-rc.1', '2.0.0-rc.2', 'prerelease'],
    ['2.0.0-alpha', '2.0.0-beta', 'prerelease'],
    ['2.0.0-rc.2', '2.0.0', 'prerelease'],
  ])('%p → %p is a %p bump', (previous, next, kind) => {
    expect(sut(previous, next)).toBe(kind);
  });

  it.each([
    ['1.2.3', '1.2.3'],
    ['1.2.3', '1.2.2'],
    ['2.0.0', '2.0.0-rc.1'],
    ['1.2.3+a', '1.2.3+b'],
  ])('refuses %p → %p, which is not newer', (previous, next) => {
    const error = errorOf(() => sut(previous, next));
    expect(error.code).toBe(DomainErrorCode.InvalidInput);
    expect(error.violations).toEqual([{ field: 'next', message: `must be newer than ${previous}` }]);
  });

  it('names every invalid version', () => {
    expect(errorOf(() => sut('v1', '2.0')).violations).toEqual([
      { field: 'previous', message: "'v1' is not a SemVer 2.0 version" },
      { field: 'next', message: "'2.0' is not a SemVer 2.0 version" },
    ]);
  });
});

describe(isBreakingBump.name, () => {
  const sut = isBreakingBump;

  it.each([
    ['1.2.3', '2.0.0', true],
    ['1.2.3', '2.0.0-rc.1', true],
    ['1.2.3', '1.3.0', false],
    ['1.2.3', '1.2.4', false],
    ['1.2.3', '1.3.0-rc.1', false],
    ['0.2.3', '0.3.0', true],
    ['0.2.3', '0.2.4', false],
    ['0.2.3', '1.0.0', true],
    ['0.0.3', '0.0.4', true],
    ['0.0.3', '0.1.0', true],
    ['0.9.0', '1.0.0-rc.1', true],
    // Prereleases of the first version of a line promise nothing to each other.
    ['2.0.0-rc.1', '2.0.0-rc.2', true],
    ['2.0.0-rc.2', '2.0.0', true],
    ['0.3.0-beta.1', '0.3.0', true],
    ['0.0.4-beta.1', '0.0.4-beta.2', true],
    // Prereleases inside a line do not, or a break would slip into the release.
    ['1.3.0-rc.1', '1.3.0-rc.2', false],
    ['1.3.0-rc.1', '1.3.0', false],
    ['0.3.1-rc.1', '0.3.1', false],
    ['2.0.0-rc.1', '2.0.1', false],
    ['2.0.0', '2.0.1', false],
  ])('%p → %p breaks compatibility: %p', (previous, next, breaking) => {
    expect(sut(previous, next)).toBe(breaking);
  });
});

describe(requiresMajorBump.name, () => {
  const sut = requiresMajorBump;

  it('lets any bump through without breaks', () => {
    expect(() => sut([], { component: 'checkout-api', previous: '2.4.0', next: '2.4.1' })).not.toThrow();
  });

  it('lets breaks through with a major bump', () => {
    expect(() => sut([operationRemoved], { component: 'payments-contract', previous: '3.2.0', next: '4.0.0' })).not.toThrow();
  });

  it('refuses breaks without a major bump, listing every break', () => {
    const error = errorOf(() => sut([operationRemoved, columnDropped], { component: 'checkout-api', previous: '2.4.0', next: '2.5.0' }));
    expect(error.code).toBe(DomainErrorCode.Conflict);
    expect(error.message).toBe('checkout-api 2.4.0 → 2.5.0 is a minor bump but has 2 breaking changes; release it as 3.0.0 or later');
    expect(error.violations).toEqual([
      { field: 'DELETE /orders/{id}', message: 'the operation was removed (operation-removed)' },
      { field: 'statement 1 (line 1)', message: 'drops column orders.coupon_code (drop-column)' },
    ]);
  });

  it.each([
    ['0.2.3', '0.2.4', 'is a patch bump but has 1 breaking change; release it as 0.3.0 or later'],
    ['1.3.0-rc.1', '1.3.0', 'is a prerelease bump but has 1 breaking change; release it as 2.0.0 or later'],
    ['1.2.3', '1.3.0-rc.1', 'is a minor bump but has 1 breaking change; release it as 2.0.0 or later'],
  ])('judges %p → %p below 1.0.0 and around prereleases', (previous, next, problem) => {
    expect(errorOf(() => sut([columnDropped], { component: 'checkout-db', previous, next })).message).toBe(`checkout-db ${previous} → ${next} ${problem}`);
  });

  it('refuses to judge a next version that is not newer', () => {
    expect(errorOf(() => sut([columnDropped], { component: 'checkout-db', previous: '0.0.3', next: '0.0.3-rc.1' })).code).toBe(DomainErrorCode.InvalidInput);
  });

  it('lets breaks through from 0.0.3 to 0.0.4, since ^0.0.3 accepts only 0.0.3', () => {
    expect(() => sut([columnDropped], { component: 'checkout-db', previous: '0.0.3', next: '0.0.4' })).not.toThrow();
  });
});
