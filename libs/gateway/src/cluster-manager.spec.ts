import { ClusterManager } from './cluster-manager';

describe(ClusterManager.name, () => {
  let sut: ClusterManager;

  beforeEach(() => {
    sut = new ClusterManager();
  });

  afterEach(() => sut.destroy());

  it('opens one pool per origin and hands the same one to every config naming it', () => {
    const first = sut.poolFor('http://127.0.0.1:1');

    expect(sut.poolFor('http://127.0.0.1:1')).toBe(first);
    expect(sut.poolFor('http://127.0.0.1:2')).not.toBe(first);
    expect(sut.origins).toEqual(['http://127.0.0.1:1', 'http://127.0.0.1:2']);
  });

  it('closes the pools of origins no config uses any more, and keeps the others warm', () => {
    const kept = sut.poolFor('http://127.0.0.1:1');
    const dropped = sut.poolFor('http://127.0.0.1:2');

    sut.retainOnly(['http://127.0.0.1:1']);

    expect([kept.closed, dropped.closed]).toEqual([false, true]);
    expect(sut.origins).toEqual(['http://127.0.0.1:1']);
    expect(sut.poolFor('http://127.0.0.1:2')).not.toBe(dropped);
  });

  it('destroys every pool on stop', async () => {
    const pool = sut.poolFor('http://127.0.0.1:1');

    await sut.destroy();

    expect([pool.destroyed, sut.origins]).toEqual([true, []]);
  });
});
