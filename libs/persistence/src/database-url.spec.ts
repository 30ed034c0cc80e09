import { databaseName, withDatabase } from './database-url';

describe(withDatabase.name, () => {
  it('replaces the database and keeps credentials and options', () => {
    expect(withDatabase('postgres://u:p@db:5433/main?sslmode=disable', 'other')).toBe('postgres://u:p@db:5433/other?sslmode=disable');
  });

  it('adds a database to a URL without one', () => {
    expect(databaseName(withDatabase('postgres://db', 'x'))).toBe('x');
  });
});
