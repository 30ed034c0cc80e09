import { DomainError, DomainErrorCode } from '../errors/domain-error';
import { assertValidStackDefinition, stackDefinitionViolations } from './stack';

describe(stackDefinitionViolations.name, () => {
  const sut = stackDefinitionViolations;

  it('accepts production with a staging mirror', () => {
    expect(sut({ name: 'checkout', environments: [{ name: 'production' }, { name: 'staging', mirrors: 'production' }] })).toEqual([]);
  });

  it.each(['Checkout', '-checkout', 'checkout-', 'check_out', '', 'a'.repeat(64)])('rejects the stack name %p', (name) => {
    expect(sut({ name, environments: [{ name: 'production' }] })).toEqual([
      { field: 'name', message: expect.stringContaining('lowercase') },
    ]);
  });

  it('requires an environment', () => {
    expect(sut({ name: 'checkout', environments: [] })).toEqual([
      { field: 'environments', message: 'must name at least one environment' },
    ]);
  });

  it('names duplicate environments by index', () => {
    expect(sut({ name: 'checkout', environments: [{ name: 'production' }, { name: 'production' }] })).toEqual([
      { field: 'environments[1].name', message: "duplicate environment 'production'" },
    ]);
  });

  it('rejects a mirror of an unknown environment', () => {
    expect(sut({ name: 'checkout', environments: [{ name: 'staging', mirrors: 'prod' }] })).toEqual([
      { field: 'environments[0].mirrors', message: "names 'prod', which is not an environment of this stack" },
    ]);
  });

  it('rejects an environment mirroring itself', () => {
    expect(sut({ name: 'checkout', environments: [{ name: 'staging', mirrors: 'staging' }] })).toEqual([
      { field: 'environments[0].mirrors', message: 'an environment cannot mirror itself' },
    ]);
  });

  it('rejects mirror chains and cycles', () => {
    const violations = sut({
      name: 'checkout',
      environments: [
        { name: 'production' },
        { name: 'staging', mirrors: 'production' },
        { name: 'preview', mirrors: 'staging' },
        { name: 'a', mirrors: 'b' },
        { name: 'b', mirrors: 'a' },
      ],
    });
    expect(violations.map((violation) => violation.field)).toEqual([
      'environments[2].mirrors',
      'environments[3].mirrors',
      'environments[4].mirrors',
    ]);
  });

  it('reports every violation at once', () => {
    expect(sut({ name: 'Bad', environments: [{ name: 'X' }, { name: 'y', mirrors: 'z' }] })).toHaveLength(3);
  });
});

describe(assertValidStackDefinition.name, () => {
  it('throws an invalid-input domain error carrying the violations', () => {
    let caught: unknown;
    try {
      assertValidStackDefinition({ name: 'checkout', environments: [] });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DomainError);
    expect((caught as DomainError).code).toBe(DomainErrorCode.InvalidInput);
    expect((caught as DomainError).violations).toHaveLength(1);
  });

  it('passes a valid stack', () => {
    expect(() => assertValidStackDefinition({ name: 'checkout', environments: [{ name: 'production' }] })).not.toThrow();
  });
});
