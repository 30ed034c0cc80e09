import { maskPassword } from './postgres-target.dto';

describe(maskPassword.name, () => {
  it('masks the password of a URL and leaves the rest as it was', () => {
    expect(maskPassword('postgres://monitor:s3cr%40t@db:5432/shop?sslmode=require')).toBe('postgres://monitor:***@db:5432/shop?sslmode=require');
  });

  it('leaves a URL without password alone', () => {
    expect(maskPassword('postgresql://monitor@db/shop')).toBe('postgresql://monitor@db/shop');
  });

  it('masks what looks like a password even in a URL it cannot parse', () => {
    expect(maskPassword('postgres://monitor:p@ss@[bad/shop')).toBe('postgres://monitor:***@[bad/shop');
  });
});
