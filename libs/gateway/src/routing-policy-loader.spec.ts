import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@strata/observability';
import { CompiledRoutingPolicy } from './compiled-routing-policy';
import { ClusterManager } from './cluster-manager';
import { ManualClock, seededRandom, specRoutingPolicy } from './gateway.testing';
import { LastKnownGoodStore } from './last-known-good-store';
import { RoutingPolicyLoader } from './routing-policy-loader';

describe(RoutingPolicyLoader.name, () => {
  const cluster = new ClusterManager();
  let dir: string;
  let store: LastKnownGoodStore;
  let saveFailures: unknown[];
  let served: CompiledRoutingPolicy | undefined;
  let sut: RoutingPolicyLoader;
  const listening = { host: '127.0.0.1', port: 8000, localAddresses: new Set<string>() };

  const newLoader = (): RoutingPolicyLoader =>
    new RoutingPolicyLoader(
      'gw-1',
      store,
      {
        served: () => served?.update,
        listening: () => listening,
        compile: (update) => new CompiledRoutingPolicy(update, (url) => cluster.poolFor(url), new ManualClock().now(), seededRandom()),
        install: (compiled) => {
          served = compiled;
        },
      },
      new Logger('spec'),
    );

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-loader-'));
    saveFailures = [];
    store = new LastKnownGoodStore(dir, (error) => saveFailures.push(error));
    served = undefined;
    sut = newLoader();
  });

  afterEach(async () => {
    await store.flushed();
    expect(saveFailures).toEqual([]);
    rmSync(dir, { recursive: true, force: true });
  });
  afterAll(() => cluster.destroy());

  /** Read through a call: the loader installs behind the compiler's back. */
  const servedVersion = (): number | undefined => served?.version;
  const update = (version: number, config: unknown = specRoutingPolicy(), stack = 'shop') => ({ stack, environment: 'prod', version, config });

  it('ACKs and installs a valid config, and keeps it as last-known-good', async () => {
    expect(sut.apply(update(3))).toEqual({ outcome: 'applied', stack: 'shop', environment: 'prod', version: 3, gatewayId: 'gw-1' });
    expect(served?.version).toBe(3);

    await store.flushed();
    served = undefined;
    newLoader().loadLastKnownGood();
    expect(servedVersion()).toBe(3);
  });

  it('NACKs an invalid config with its violations, keeping the one served', () => {
    sut.apply(update(1));

    const outcome = sut.apply(update(2, { ...specRoutingPolicy(), stableConfig: 'v9' }));

    expect(outcome).toMatchObject({ outcome: 'rejected', version: 2, keptVersion: 1, violations: [{ field: 'config.stableConfig' }] });
    expect(served?.version).toBe(1);
  });

  it('NACKs an older version and another stack\'s config, and ACKs the same version again without reinstalling', () => {
    sut.apply(update(5));
    const installed = served;

    expect(sut.apply(update(4))).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/older/) });
    expect(sut.apply(update(6, specRoutingPolicy(), 'search'))).toMatchObject({ outcome: 'rejected', reason: expect.stringMatching(/routes shop\/prod/) });
    expect(sut.apply(update(5))).toMatchObject({ outcome: 'applied', version: 5 });
    expect(served).toBe(installed);
  });

  it('NACKs a config one of whose nodes is where the gateway listens', () => {
    const config = specRoutingPolicy();
    config.stackConfigs[1].nodes[0].url = 'http://localhost:8000';

    expect(sut.apply(update(1, config))).toMatchObject({ outcome: 'rejected', keptVersion: null, violations: [{ field: 'config.stackConfigs[1].nodes[0].url' }] });
    expect(served).toBeUndefined();
  });

  it('starts without a config when the last-known-good file is not valid', () => {
    writeFileSync(store.path, JSON.stringify(update(1, { component: 'checkout' })));

    sut.loadLastKnownGood();

    expect(served).toBeUndefined();
  });
});
