import { RoutingConfig } from './routing-config';
import { buildRoutingConfig } from '../test-support/routing-config.factory';
import { NO_STACK_CONFIG, RoutableRequest, StackRouter, cookieValue } from './stack-router';

function request(path = '/', headers: Record<string, string> = {}): RoutableRequest {
  return {
    path,
    header: (name) => headers[name],
    cookie: (name) => cookieValue(headers['cookie'], name),
  };
}

function shareOf(sut: StackRouter, index: number, draws = 10_000): number {
  let hits = 0;
  for (let draw = 0; draw < draws; draw++) {
    if (sut.choose(request(), (draw + 0.5) / draws) === index) {
      hits++;
    }
  }
  return hits / draws;
}

describe(StackRouter.name, () => {
  it('splits traffic by weight', () => {
    const sut = new StackRouter(buildRoutingConfig());

    expect(shareOf(sut, 0)).toBeCloseTo(0.9, 2);
    expect(shareOf(sut, 1)).toBeCloseTo(0.1, 2);
  });

  it('names the stable and the mirror configs by index', () => {
    const sut = new StackRouter(buildRoutingConfig({ stableConfig: 'v2', mirror: { stackConfig: 'v1', sampleRate: 0.5 } }));

    expect([sut.stableIndex, sut.mirrorIndex]).toEqual([1, 0]);
  });

  it.each([
    [{ header: 'x-canary', value: 'true' }, request('/', { 'x-canary': 'true' }), request('/', { 'x-canary': 'false' })],
    [{ cookie: 'beta', value: '1' }, request('/', { cookie: 'a=b; beta=1' }), request('/', { cookie: 'beta=2' })],
    [{ pathPrefix: '/new/' }, request('/new/cart'), request('/newer')],
  ])('routes by the rule %j 100 %', (match, matching, other) => {
    const sut = new StackRouter(buildRoutingConfig({ rules: [{ match, stackConfig: 'v2' }] }));

    for (const uniform of [0, 0.3, 0.6, 0.99]) {
      expect(sut.choose(matching, uniform)).toBe(1);
    }
    expect(sut.choose(other, 0)).toBe(0);
  });

  it('compares header names lowercase, as node:http delivers them', () => {
    const sut = new StackRouter(buildRoutingConfig({ stickiness: { header: 'X-User' }, rules: [{ match: { header: 'X-Canary', value: 'yes' }, stackConfig: 'v2' }] }));
    const seen: string[] = [];
    const spy: RoutableRequest = { path: '/', header: (name) => (seen.push(name), undefined), cookie: () => undefined };

    sut.choose(spy, 0);

    expect(seen).toEqual(['x-canary', 'x-user']);
  });

  it('applies the first matching rule', () => {
    const sut = new StackRouter(
      buildRoutingConfig({
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
    const sut = new StackRouter(buildRoutingConfig({ stickiness: { header: 'x-user' }, rules: [{ match: { pathPrefix: '/beta' }, stackConfig: 'v2' }] }));
    const user = Array.from({ length: 100 }, (_, index) => `user-${index}`).find((id) => sut.choose(request('/', { 'x-user': id }), 0) === 0) as string;

    expect(sut.choose(request('/beta', { 'x-user': user }), 0)).toBe(1);
  });

  it('gives one sticky key the same config whatever the random draw', () => {
    const sut = new StackRouter(buildRoutingConfig({ stickiness: { cookie: 'session' } }));

    for (let index = 0; index < 50; index++) {
      const key = request('/', { cookie: `session=s${index}` });
      const first = sut.choose(key, 0);
      expect([0.25, 0.5, 0.999].map((uniform) => sut.choose(key, uniform))).toEqual([first, first, first]);
    }
  });

  it('spreads sticky keys by the configured weights', () => {
    const sut = new StackRouter(buildRoutingConfig({ stickiness: { header: 'x-user' } }));
    let canary = 0;
    for (let index = 0; index < 10_000; index++) {
      canary += sut.choose(request('/', { 'x-user': `user-${index}` }), 0) === 1 ? 1 : 0;
    }

    expect(Math.abs(canary / 10_000 - 0.1)).toBeLessThan(0.02);
  });

  it('keeps sessions in place when scores move', () => {
    const sut = new StackRouter(buildRoutingConfig({ stickiness: { header: 'x-user' } }));
    const before = Array.from({ length: 200 }, (_, index) => sut.choose(request('/', { 'x-user': `u${index}` }), 0));

    sut.setScore(1, 0.1);

    expect(Array.from({ length: 200 }, (_, index) => sut.choose(request('/', { 'x-user': `u${index}` }), 0))).toEqual(before);
  });

  describe('stickiness across weight changes, with three stack configs', () => {
    const node = (name: string) => [{ id: `${name}-a`, url: 'http://127.0.0.1:8081' }];
    const threeConfigs = (weights: [number, number, number]) =>
      new StackRouter(
        buildRoutingConfig({
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
    const sut = new StackRouter(buildRoutingConfig({ stickiness: { header: 'x-user' } }));

    const picks = (headers: Record<string, string>): Set<number> => new Set(Array.from({ length: 100 }, (_, draw) => sut.choose(request('/', headers), draw / 100)));

    expect(picks({ 'x-user': '' })).toEqual(new Set([0, 1]));
    expect(picks({})).toEqual(new Set([0, 1]));
  });

  it('scales weights by score', () => {
    const sut = new StackRouter(buildRoutingConfig());

    expect(sut.setScore(1, 0.5)).toBe(true);

    expect(sut.weightedShares()[1]).toBeCloseTo(5 / 95, 10);
  });

  it('ignores score changes below one point', () => {
    const sut = new StackRouter(buildRoutingConfig());

    expect(sut.setScore(1, 0.995)).toBe(false);
    expect(sut.weightedShares()[1]).toBeCloseTo(0.1, 10);
  });

  it('takes an unavailable config out of every choice', () => {
    const sut = new StackRouter(buildRoutingConfig({ stickiness: { header: 'x-user' }, rules: [{ match: { pathPrefix: '/' }, stackConfig: 'v2' }] }));

    sut.setAvailable(1, false);

    expect(sut.isAvailable(1)).toBe(false);
    for (let draw = 0; draw < 100; draw++) {
      expect(sut.choose(request('/', { 'x-user': `user-${draw}` }), draw / 100)).toBe(0);
    }
    expect(sut.weightedShares()).toEqual([1, 0]);
  });

  it('brings a config back when it is available again', () => {
    const sut = new StackRouter(buildRoutingConfig());
    sut.setAvailable(1, false);

    sut.setAvailable(1, true);

    expect(sut.weightedShares()[1]).toBeCloseTo(0.1, 10);
  });

  it('chooses nothing only when no config has a node at all', () => {
    const sut = new StackRouter(buildRoutingConfig({ stackConfigs: [{ name: 'v1', weight: 1, nodes: [] }] }));

    sut.setAvailable(0, true);

    expect([sut.mode, sut.isAvailable(0), sut.choose(request('/'), 0.5)]).toEqual(['panic', false, NO_STACK_CONFIG]);
  });

  it('mirrors the configured sample of requests', () => {
    const sut = new StackRouter(buildRoutingConfig({ mirror: { stackConfig: 'v2', sampleRate: 0.25 } }));

    expect([0, 0.2499, 0.25, 0.9].map((uniform) => sut.shouldMirror(uniform))).toEqual([true, true, false, false]);
  });

  it('does not mirror without a mirror or to an unavailable staging config', () => {
    const without = new StackRouter(buildRoutingConfig());
    const sut = new StackRouter(buildRoutingConfig({ mirror: { stackConfig: 'v2', sampleRate: 1 } }));

    sut.setAvailable(1, false);

    expect(without.shouldMirror(0)).toBe(false);
    expect(sut.shouldMirror(0)).toBe(false);
  });
});

describe(`${StackRouter.name} fallback and panic`, () => {
  /** Stack configs named v1, v2, … with one node each; v1 is the stable config unless told otherwise. */
  const routerOf = (weights: number[], overrides: Partial<RoutingConfig> = {}): StackRouter =>
    new StackRouter(
      buildRoutingConfig({
        stableConfig: 'v1',
        stackConfigs: weights.map((weight, index) => ({ name: `v${index + 1}`, weight, nodes: [{ id: `v${index + 1}-a`, url: `http://127.0.0.1:${8081 + index}` }] })),
        ...overrides,
      }),
    );
  const draws = Array.from({ length: 1_000 }, (_, draw) => (draw + 0.5) / 1_000);
  const chosenBy = (sut: StackRouter, each: (uniform: number, draw: number) => RoutableRequest = () => request()): Set<number> => new Set(draws.map((uniform, draw) => sut.choose(each(uniform, draw), uniform)));
  const users = Array.from({ length: 2_000 }, (_, index) => `user-${index}`);
  const stickyChoices = (sut: StackRouter): number[] => users.map((user) => sut.choose(request('/', { 'x-user': user }), 0.5));
  const countOf = (choices: number[], index: number): number => choices.filter((choice) => choice === index).length;

  it('sends everything to the weight-0 old stable when the promoted config at 100 has no available node', () => {
    const sut = routerOf([0, 100]);
    expect([sut.mode, chosenBy(sut)]).toEqual(['normal', new Set([1])]);

    sut.setAvailable(1, false);

    expect(sut.mode).toBe('fallback');
    expect(chosenBy(sut)).toEqual(new Set([0]));
    expect(sut.weightedShares()).toEqual([1, 0]);
  });

  it('falls back to a weight-0 config that is not the stable one when the stable config is the one without a node', () => {
    const sut = routerOf([100, 0], { stableConfig: 'v1' });

    sut.setAvailable(0, false);

    expect([sut.mode, chosenBy(sut)]).toEqual(['fallback', new Set([1])]);
  });

  it('prefers the stable config among the weight-0 configs with an available node', () => {
    const sut = routerOf([0, 100, 0, 0], { stableConfig: 'v3' });

    sut.setAvailable(1, false);

    expect([sut.mode, chosenBy(sut)]).toEqual(['fallback', new Set([2])]);
  });

  it('spreads fallback traffic in equal shares over the weight-0 configs when the stable config has no available node either', () => {
    const sut = routerOf([0, 100, 0, 0]);

    sut.setAvailable(1, false);
    sut.setAvailable(0, false);

    expect(sut.mode).toBe('fallback');
    expect(sut.weightedShares().map((share) => Number(share.toFixed(10)))).toEqual([0, 0, 0.5, 0.5]);
    expect(chosenBy(sut)).toEqual(new Set([2, 3]));
  });

  it('stays normal while one config with a weight has an available node, even a small one', () => {
    const sut = routerOf([0, 99, 1]);

    sut.setAvailable(1, false);

    expect([sut.mode, chosenBy(sut)]).toEqual(['normal', new Set([2])]);
  });

  it('enters panic when no config has an available node, routing by configured weight among the configs with a weight', () => {
    const sut = routerOf([0, 75, 25]);
    sut.setScore(2, 0.2);

    [0, 1, 2].forEach((index) => sut.setAvailable(index, false));

    expect(sut.mode).toBe('panic');
    expect(sut.weightedShares().map((share) => Number(share.toFixed(10)))).toEqual([0, 0.75, 0.25]);
    expect(chosenBy(sut)).toEqual(new Set([1, 2]));
  });

  it('goes from panic to fallback to normal as nodes recover, with the shares it had before', () => {
    const sut = routerOf([0, 70, 30]);
    const before = sut.weightedShares();
    [0, 1, 2].forEach((index) => sut.setAvailable(index, false));
    const modes = [sut.mode];

    sut.setAvailable(0, true);
    modes.push(sut.mode);
    const fallback = chosenBy(sut);
    sut.setAvailable(2, true);
    modes.push(sut.mode);
    const oneBack = chosenBy(sut);
    sut.setAvailable(1, true);
    modes.push(sut.mode);

    expect(modes).toEqual(['panic', 'fallback', 'normal', 'normal']);
    expect([fallback, oneBack]).toEqual([new Set([0]), new Set([2])]);
    expect(sut.weightedShares()).toEqual(before);
  });

  it('never chooses a config without an available node while another has one, whatever the weights, rule or sticky key', () => {
    const weightSets = [
      [0, 100, 0],
      [100, 0, 0],
      [50, 50, 0],
      [0, 0, 1],
      [10, 0, 90],
      [1, 2, 3],
    ];
    for (const weights of weightSets) {
      for (let mask = 0; mask < 8; mask++) {
        const sut = routerOf(weights, { stickiness: { header: 'x-user' }, rules: [0, 1, 2].map((index) => ({ match: { header: 'x-pin', value: `v${index + 1}` }, stackConfig: `v${index + 1}` })) });
        const available = [0, 1, 2].map((index) => (mask & (1 << index)) !== 0);
        available.forEach((isAvailable, index) => sut.setAvailable(index, isAvailable));
        const sticky = chosenBy(sut, (_, draw) => request('/', { 'x-user': `user-${draw}` }));
        const pinned = chosenBy(sut, (_, draw) => request('/', { 'x-user': `user-${draw}`, 'x-pin': `v${(draw % 3) + 1}` }));
        const plain = chosenBy(sut);

        const expectedMode = !available.some(Boolean) ? 'panic' : available.some((isAvailable, index) => isAvailable && weights[index] > 0) ? 'normal' : 'fallback';
        expect({ weights, available, mode: sut.mode }).toEqual({ weights, available, mode: expectedMode });
        // In panic any config may take a pinned request; the weighted and sticky picks keep to the configs with a weight.
        const wrong = (chosen: Set<number>, allowed: (index: number) => boolean): number[] => [...chosen].filter((index) => index === NO_STACK_CONFIG || !allowed(index));
        const unpinnedAllowed = expectedMode === 'panic' ? (index: number) => weights[index] > 0 : (index: number) => available[index];
        const pinnedAllowed = expectedMode === 'panic' ? () => true : unpinnedAllowed;
        expect({ weights, available, wrong: [...wrong(sticky, unpinnedAllowed), ...wrong(plain, unpinnedAllowed), ...wrong(pinned, pinnedAllowed)] }).toEqual({ weights, available, wrong: [] });
      }
    }
  });

  it('lets rules pin to a config with an available node in fallback, and to any config in panic', () => {
    const rules = [
      { match: { header: 'x-pin', value: 'canary' }, stackConfig: 'v2' },
      { match: { header: 'x-pin', value: 'other' }, stackConfig: 'v3' },
    ];
    const sut = routerOf([0, 100, 0], { rules });
    const pinned = (value: string): Set<number> => chosenBy(sut, () => request('/', { 'x-pin': value }));

    sut.setAvailable(1, false);
    const fallback = [pinned('canary'), pinned('other')];
    sut.setAvailable(0, false);
    sut.setAvailable(2, false);
    const panic = [pinned('canary'), pinned('other')];

    expect(fallback).toEqual([new Set([0]), new Set([2])]);
    expect(panic).toEqual([new Set([1]), new Set([2])]);
  });

  it('moves sticky keys to the available stable config in fallback and brings them all back', () => {
    const sut = routerOf([0, 100], { stickiness: { header: 'x-user' } });
    const before = stickyChoices(sut);

    sut.setAvailable(1, false);
    const during = stickyChoices(sut);
    sut.setAvailable(1, true);

    expect(countOf(before, 1)).toBe(users.length);
    expect(countOf(during, 0)).toBe(users.length);
    expect(stickyChoices(sut)).toEqual(before);
  });

  it('keeps each sticky key on one fallback config, spread over the weight-0 configs', () => {
    const sut = routerOf([0, 100, 0, 0], { stickiness: { header: 'x-user' } });
    sut.setAvailable(0, false);
    sut.setAvailable(1, false);

    const first = stickyChoices(sut);

    expect(users.map((user) => sut.choose(request('/', { 'x-user': user }), 0.99))).toEqual(first);
    expect(countOf(first, 2) + countOf(first, 3)).toBe(users.length);
    expect(Math.abs(countOf(first, 2) / users.length - 0.5)).toBeLessThan(0.05);
  });

  it('keeps sticky keys on the config they had when every config loses its nodes (panic)', () => {
    const sut = routerOf([0, 60, 40], { stickiness: { header: 'x-user' } });
    const before = stickyChoices(sut);

    [0, 1, 2].forEach((index) => sut.setAvailable(index, false));

    expect(sut.mode).toBe('panic');
    expect(stickyChoices(sut)).toEqual(before);
    expect(countOf(before, 1)).toBeGreaterThan(0);
    expect(countOf(before, 2)).toBeGreaterThan(0);
  });

  it('does not mirror in panic: the staging config has no available node either', () => {
    const sut = routerOf([100, 0], { mirror: { stackConfig: 'v2', sampleRate: 1 } });

    sut.setAvailable(0, false);
    sut.setAvailable(1, false);

    expect([sut.mode, sut.shouldMirror(0)]).toEqual(['panic', false]);
  });

  it('panics among the configs with nodes when the configs with a weight have none', () => {
    const sut = new StackRouter(
      buildRoutingConfig({
        stackConfigs: [
          { name: 'v1', weight: 100, nodes: [] },
          { name: 'v2', weight: 0, nodes: [{ id: 'v2-a', url: 'http://127.0.0.1:8082' }] },
        ],
      }),
    );
    expect([sut.mode, chosenBy(sut)]).toEqual(['fallback', new Set([1])]);

    sut.setAvailable(1, false);

    expect([sut.mode, chosenBy(sut)]).toEqual(['panic', new Set([1])]);
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
