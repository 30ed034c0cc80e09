import { RoutingPolicy } from './routing-policy';
import { buildRoutingPolicy } from '../test-support/routing-policy.factory';
import { request } from '../test-support/routable-requests';
import { NO_STACK_CONFIG, RoutableRequest, StackRouter } from './stack-router';

describe(`${StackRouter.name} fallback and panic`, () => {
  /** Stack configs named v1, v2, … with one node each; v1 is the stable config unless told otherwise. */
  const routerOf = (weights: number[], overrides: Partial<RoutingPolicy> = {}): StackRouter =>
    new StackRouter(
      buildRoutingPolicy({
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
      buildRoutingPolicy({
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
