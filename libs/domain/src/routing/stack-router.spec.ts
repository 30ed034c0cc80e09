import { buildRoutingPolicy } from '../test-support/routing-policy.factory';
import { request, shareOf } from '../test-support/routable-requests';
import { NO_STACK_CONFIG, RoutableRequest, StackRouter, cookieValue } from './stack-router';

describe(StackRouter.name, () => {
  it('splits traffic by weight', () => {
    const sut = new StackRouter(buildRoutingPolicy());

    expect(shareOf(sut, 0)).toBeCloseTo(0.9, 2);
    expect(shareOf(sut, 1)).toBeCloseTo(0.1, 2);
  });

  it('names the stable and the mirror configs by index', () => {
    const sut = new StackRouter(buildRoutingPolicy({ stableConfig: 'v2', mirror: { stackConfig: 'v1', sampleRate: 0.5 } }));

    expect([sut.stableIndex, sut.mirrorIndex]).toEqual([1, 0]);
  });

  it.each([
    [{ header: 'x-canary', value: 'true' }, request('/', { 'x-canary': 'true' }), request('/', { 'x-canary': 'false' })],
    [{ cookie: 'beta', value: '1' }, request('/', { cookie: 'a=b; beta=1' }), request('/', { cookie: 'beta=2' })],
    [{ pathPrefix: '/new/' }, request('/new/cart'), request('/newer')],
  ])('routes by the rule %j 100 %', (match, matching, other) => {
    const sut = new StackRouter(buildRoutingPolicy({ rules: [{ match, stackConfig: 'v2' }] }));

    for (const uniform of [0, 0.3, 0.6, 0.99]) {
      expect(sut.choose(matching, uniform)).toBe(1);
    }
    expect(sut.choose(other, 0)).toBe(0);
  });

  it('compares header names lowercase, as node:http delivers them', () => {
    const sut = new StackRouter(buildRoutingPolicy({ stickiness: { header: 'X-User' }, rules: [{ match: { header: 'X-Canary', value: 'yes' }, stackConfig: 'v2' }] }));
    const seen: string[] = [];
    const spy: RoutableRequest = { path: '/', header: (name) => (seen.push(name), undefined), cookie: () => undefined };

    sut.choose(spy, 0);

    expect(seen).toEqual(['x-canary', 'x-user']);
  });

  it('applies the first matching rule', () => {
    const sut = new StackRouter(
      buildRoutingPolicy({
        rules: [
          { match: { pathPrefix: '/a' }, stackConfig: 'v1' },
          { match: { pathPrefix: '/' }, stackConfig: 'v2' },
        ],
      }),
    );

    expect(sut.choose(request('/a'), 0.99)).toBe(0);
    expect(sut.choose(request('/b'), 0)).toBe(1);
  });

  it('lets a rule win over stickiness', () => {
    const sut = new StackRouter(buildRoutingPolicy({ stickiness: { header: 'x-user' }, rules: [{ match: { pathPrefix: '/beta' }, stackConfig: 'v2' }] }));
    const user = Array.from({ length: 100 }, (_, index) => `user-${index}`).find((id) => sut.choose(request('/', { 'x-user': id }), 0) === 0) as string;

    expect(sut.choose(request('/beta', { 'x-user': user }), 0)).toBe(1);
  });

  it('gives one sticky key the same config whatever the random draw', () => {
    const sut = new StackRouter(buildRoutingPolicy({ stickiness: { cookie: 'session' } }));

    for (let index = 0; index < 50; index++) {
      const key = request('/', { cookie: `session=s${index}` });
      const first = sut.choose(key, 0);
      expect([0.25, 0.5, 0.999].map((uniform) => sut.choose(key, uniform))).toEqual([first, first, first]);
    }
  });

  it('spreads sticky keys by the configured weights', () => {
    const sut = new StackRouter(buildRoutingPolicy({ stickiness: { header: 'x-user' } }));
    let canary = 0;
    for (let index = 0; index < 10_000; index++) {
      canary += sut.choose(request('/', { 'x-user': `user-${index}` }), 0) === 1 ? 1 : 0;
    }

    expect(Math.abs(canary / 10_000 - 0.1)).toBeLessThan(0.02);
  });

  it('keeps sessions in place when scores move', () => {
    const sut = new StackRouter(buildRoutingPolicy({ stickiness: { header: 'x-user' } }));
    const before = Array.from({ length: 200 }, (_, index) => sut.choose(request('/', { 'x-user': `u${index}` }), 0));

    sut.setScore(1, 0.1);

    expect(Array.from({ length: 200 }, (_, index) => sut.choose(request('/', { 'x-user': `u${index}` }), 0))).toEqual(before);
  });

  describe('stickiness across weight changes, with three stack configs', () => {
    const node = (name: string) => [{ id: `${name}-a`, url: 'http://127.0.0.1:8081' }];
    const threeConfigs = (weights: [number, number, number]) =>
      new StackRouter(
        buildRoutingPolicy({
          stableConfig: 'v1',
          stackConfigs: ['v1', 'v2', 'v3'].map((name, index) => ({ name, weight: weights[index], nodes: node(name) })),
          stickiness: { header: 'x-user' },
        }),
      );
    const sessions = Array.from({ length: 4_000 }, (_, index) => `user-${index}`);
    const choices = (sut: StackRouter) => sessions.map((user) => sut.choose(request('/', { 'x-user': user }), 0));

    it('spreads sessions by weight over three configs', () => {
      const chosen = choices(threeConfigs([60, 30, 10]));

      [0.6, 0.3, 0.1].forEach((share, index) => expect(Math.abs(chosen.filter((choice) => choice === index).length / sessions.length - share)).toBeLessThan(0.03));
    });

    // One config's share changes, the others keep their proportions (a canary step): sessions move
    // only onto a config that grew, or only off one that shrank, whatever its position.
    it.each([
      { before: [60, 30, 10], after: [40, 20, 40], changed: 2, direction: 'grew' },
      { before: [60, 30, 10], after: [48, 44, 8], changed: 1, direction: 'grew' },
      { before: [10, 60, 30], after: [40, 40, 20], changed: 0, direction: 'grew' },
      { before: [40, 40, 20], after: [60, 5, 30], changed: 1, direction: 'shrank' },
    ] as { before: [number, number, number]; after: [number, number, number]; changed: number; direction: string }[])(
      'moves sessions only onto or off config $changed (it $direction) when $before becomes $after',
      ({ before, after, changed, direction }) => {
        const was = choices(threeConfigs(before));
        const now = choices(threeConfigs(after));

        const moved = was.map((choice, index) => [choice, now[index]]).filter(([from, to]) => from !== to);
        expect(moved.length).toBeGreaterThan(100);
        expect(moved.every(([from, to]) => (direction === 'grew' ? to === changed : from === changed))).toBe(true);
      },
    );

    it('moves only the sessions of a config that becomes unavailable, and brings them back', () => {
      const sut = threeConfigs([50, 30, 20]);
      const was = choices(sut);

      sut.setAvailable(1, false);
      const during = choices(sut);
      sut.setAvailable(1, true);

      expect(during.every((choice, index) => choice !== 1 && (was[index] === 1 || choice === was[index]))).toBe(true);
      expect(choices(sut)).toEqual(was);
    });
  });

  it('falls back to the weighted pick without a sticky key', () => {
    const sut = new StackRouter(buildRoutingPolicy({ stickiness: { header: 'x-user' } }));

    const picks = (headers: Record<string, string>): Set<number> => new Set(Array.from({ length: 100 }, (_, draw) => sut.choose(request('/', headers), draw / 100)));

    expect(picks({ 'x-user': '' })).toEqual(new Set([0, 1]));
    expect(picks({})).toEqual(new Set([0, 1]));
  });

  it('scales weights by score', () => {
    const sut = new StackRouter(buildRoutingPolicy());

    expect(sut.setScore(1, 0.5)).toBe(true);

    expect(sut.weightedShares()[1]).toBeCloseTo(5 / 95, 10);
  });

  it('ignores score changes below one point', () => {
    const sut = new StackRouter(buildRoutingPolicy());

    expect(sut.setScore(1, 0.995)).toBe(false);
    expect(sut.weightedShares()[1]).toBeCloseTo(0.1, 10);
  });

  it('takes an unavailable config out of every choice', () => {
    const sut = new StackRouter(buildRoutingPolicy({ stickiness: { header: 'x-user' }, rules: [{ match: { pathPrefix: '/' }, stackConfig: 'v2' }] }));

    sut.setAvailable(1, false);

    expect(sut.isAvailable(1)).toBe(false);
    for (let draw = 0; draw < 100; draw++) {
      expect(sut.choose(request('/', { 'x-user': `user-${draw}` }), draw / 100)).toBe(0);
    }
    expect(sut.weightedShares()).toEqual([1, 0]);
  });

  it('brings a config back when it is available again', () => {
    const sut = new StackRouter(buildRoutingPolicy());
    sut.setAvailable(1, false);

    sut.setAvailable(1, true);

    expect(sut.weightedShares()[1]).toBeCloseTo(0.1, 10);
  });

  it('chooses nothing only when no config has a node at all', () => {
    const sut = new StackRouter(buildRoutingPolicy({ stackConfigs: [{ name: 'v1', weight: 1, nodes: [] }] }));

    sut.setAvailable(0, true);

    expect([sut.mode, sut.isAvailable(0), sut.choose(request('/'), 0.5)]).toEqual(['panic', false, NO_STACK_CONFIG]);
  });

  it('mirrors the configured sample of requests', () => {
    const sut = new StackRouter(buildRoutingPolicy({ mirror: { stackConfig: 'v2', sampleRate: 0.25 } }));

    expect([0, 0.2499, 0.25, 0.9].map((uniform) => sut.shouldMirror(uniform))).toEqual([true, true, false, false]);
  });

  it('does not mirror without a mirror or to an unavailable staging config', () => {
    const without = new StackRouter(buildRoutingPolicy());
    const sut = new StackRouter(buildRoutingPolicy({ mirror: { stackConfig: 'v2', sampleRate: 1 } }));

    sut.setAvailable(1, false);

    expect(without.shouldMirror(0)).toBe(false);
    expect(sut.shouldMirror(0)).toBe(false);
  });
});

describe(cookieValue.name, () => {
  it.each([
    ['a=1; b=2', 'b', '2'],
    ['a=1;b=2', 'a', '1'],
    [' session = abc ', 'session', 'abc'],
    ['ab=1; b=2', 'b', '2'],
    ['a=1', 'b', undefined],
    ['flag; b=2', 'b', '2'],
    ['', 'a', undefined],
    [undefined, 'a', undefined],
  ])('reads %j for %s', (header, name, expected) => {
    expect(cookieValue(header, name)).toBe(expected);
  });
});
