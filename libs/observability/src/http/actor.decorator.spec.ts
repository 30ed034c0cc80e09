import { actorOf } from './actor.decorator';

describe(actorOf.name, () => {
  it('takes a well-formed actor header', () => {
    expect(actorOf({ headers: { 'x-strata-actor': 'alice@example.com' } })).toBe('alice@example.com');
  });

  it('falls back to anonymous when absent or unsafe', () => {
    expect(actorOf({ headers: {} })).toBe('anonymous');
    expect(actorOf({ headers: { 'x-strata-actor': 'bob\nDROP' } })).toBe('anonymous');
  });
});
