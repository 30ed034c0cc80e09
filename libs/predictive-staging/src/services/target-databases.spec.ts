import { DomainError } from '@strata/domain';
import { TargetDatabases } from './target-databases';

describe(TargetDatabases.name, () => {
  const sut = new TargetDatabases({ SHOP_DB_URL: 'postgresql://app@db.internal:5432/shop', PATH: '/usr/local/bin:/usr/bin', HOME: '/root', EMPTY: '' });
  const refusal = (variable: string) => {
    try {
      sut.url(variable, 'databaseUrlFrom');
    } catch (error) {
      if (error instanceof DomainError) return error.violations;
      throw error;
    }
    throw new Error(`expected ${variable} to be refused`);
  };

  it('gives the URL a variable holds', () => {
    expect(sut.url('SHOP_DB_URL', 'databaseUrlFrom')).toBe('postgresql://app@db.internal:5432/shop');
  });

  it('names the field when the variable is not set', () => {
    expect(refusal('ORDERS_DB_URL')).toEqual([{ field: 'databaseUrlFrom', message: "the variable ORDERS_DB_URL is not set in predictive-staging's environment" }]);
    expect(refusal('EMPTY')).toEqual([{ field: 'databaseUrlFrom', message: "the variable EMPTY is not set in predictive-staging's environment" }]);
  });

  it.each(['PATH', 'HOME'])("refuses %s, which holds no PostgreSQL URL, without showing what it holds", (variable) => {
    const violations = refusal(variable);
    expect(violations).toEqual([{ field: 'databaseUrlFrom', message: `the variable ${variable} does not hold a postgres:// or postgresql:// URL` }]);
    expect(JSON.stringify(violations)).not.toMatch(/\/usr|\/root/);
  });
});

