import { z } from 'zod';
import { ConfigError, parseEnvironment, shownValue } from './env';
import { port, positiveInt } from './fields';

function problemsOf(schema: z.ZodObject, env: Record<string, string>): readonly string[] {
  try {
    parseEnvironment(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the environment to be refused');
}

describe(shownValue.name, () => {
  it('never shows the value of a variable named as a credential, only its length', () => {
    for (const variable of ['STRATA_ADMIN_TOKEN', 'STRATA_TOKEN', 'DB_PASSWORD', 'WEBHOOK_SECRET', 'STRIPE_API_KEY', 'GCP_CREDENTIALS']) {
      expect(shownValue(variable, 'MyRealProdSecret_with$pecialchar')).toBe('got a value of 32 characters, not shown: it is a secret');
    }
  });

  it("masks a URL's password and keeps the rest, so the mistake stays visible", () => {
    expect(shownValue('DATABASE_URL', 'postgres://strata:hunter2@db:5432/strata?sslmode=requre')).toBe("got 'postgres://strata:***@db:5432/strata?sslmode=requre'");
    expect(shownValue('DATABASE_URL', 'mysql://x')).toBe("got 'mysql://x'");
    expect(shownValue('KAFKA_BROKERS', 'localhost')).toBe("got 'localhost'");
  });

  it('cuts a long value', () => {
    expect(shownValue('LOG_LEVEL', 'x'.repeat(500))).toBe(`got '${'x'.repeat(200)}…'`);
  });
});

describe(parseEnvironment.name, () => {
  const schema = z.object({ STRATA_ADMIN_TOKEN: z.string().regex(/^[A-Za-z0-9]+$/, 'must be letters and digits'), DATABASE_URL: z.string().startsWith('postgres://', 'must be a postgres:// URL') });

  it('names each variable and shows no secret in its message', () => {
    const problems = problemsOf(schema, { STRATA_ADMIN_TOKEN: 'Real$ecret-value', DATABASE_URL: 'postgresql://u:topsecret@h/d' });
    expect(problems).toEqual([
      'STRATA_ADMIN_TOKEN: must be letters and digits (got a value of 16 characters, not shown: it is a secret)',
      "DATABASE_URL: must be a postgres:// URL (got 'postgresql://u:***@h/d')",
    ]);
    expect(problems.join('\n')).not.toMatch(/Real\$ecret|topsecret/);
  });
});

describe('parseEnvironment on numbers out of range', () => {
  const schema = z.object({ DATABASE_POOL_SIZE: positiveInt(10, 100), PORT: port(8080), RETENTION_DAYS: z.coerce.number().min(7, 'must be at least RAW_RETENTION_DAYS') });

  it('names the bound a number breaks, not "must be a number"', () => {
    expect(problemsOf(schema, { DATABASE_POOL_SIZE: '-1', PORT: '70000', RETENTION_DAYS: '10' })).toEqual(["DATABASE_POOL_SIZE: must be at least 1 (got '-1')", "PORT: must be at most 65535 (got '70000')"]);
    expect(problemsOf(schema, { DATABASE_POOL_SIZE: '101', RETENTION_DAYS: '7' })).toEqual(["DATABASE_POOL_SIZE: must be at most 100 (got '101')"]);
  });

  it('keeps what is not a number, and a bound given its own words', () => {
    expect(problemsOf(schema, { DATABASE_POOL_SIZE: 'ten', RETENTION_DAYS: '3' })).toEqual(["DATABASE_POOL_SIZE: must be a number (got 'ten')", "RETENTION_DAYS: must be at least RAW_RETENTION_DAYS (got '3')"]);
  });
});
