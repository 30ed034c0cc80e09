import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { RoutingConfigPublishedV1 } from '@strata/contracts';
import { Logger } from '@strata/observability';
import { CompiledRoutingPolicy } from './compiled-routing-policy';
import { ClusterManager } from './cluster-manager';
import { ManualClock, seededRandom, specRoutingPolicy } from './gateway.testing';
import { VirtualHostLoaders, VirtualHostLoadersOptions } from './virtual-host-loaders';
import { parseVirtualHosts } from './virtual-hosts';

describe(VirtualHostLoaders.name, () => {
  const cluster = new ClusterManager();
  let stateDir: string;
  let served: Array<CompiledRoutingPolicy | undefined>;
  let created: VirtualHostLoaders[];

  const newLoaders = (options: Partial<VirtualHostLoadersOptions> = {}): VirtualHostLoaders => {
    const loaders = new VirtualHostLoaders(
      { gatewayId: 'gw-1', stateDir, logger: new Logger('spec'), ...options },
      {
        served: (index) => served[index]?.update,
        listening: () => undefined,
        compile: (update) => new CompiledRoutingPolicy(update, (url) => cluster.poolFor(url), new ManualClock().now(), seededRandom()),
        install: (index, compiled) => {
          served[index] = compiled;
        },
      },
    );
    created.push(loaders);
    return loaders;
  };
  const update = (stack: string, environment: string, version: number) => ({ stack, environment, version, config: specRoutingPolicy() });
  const published = (stack: string, environment: string): RoutingConfigPublishedV1 => ({ stack, environment, version: 1, config: {} });
  const versions = () => served.map((routing) => routing?.version);

  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'strata-vhosts-'));
    served = [];
    created = [];
  });
  afterEach(async () => {
    await Promise.all(created.map((loaders) => loaders.flushed()));
    rmSync(stateDir, { recursive: true, force: true });
  });
  afterAll(() => cluster.destroy());

  describe('with virtual hosts', () => {
    const virtualHosts = parseVirtualHosts('shop/production=shop.example.com;shop/staging=/staging;search/production=search.example.com');

    it('ACKs each stack and environment on its own and installs it in its own host', () => {
      const sut = newLoaders({ virtualHosts });

      expect(sut.apply(update('search', 'production', 4))).toEqual({ outcome: 'applied', stack: 'search', environment: 'production', version: 4, gatewayId: 'gw-1' });
      expect(sut.apply(update('shop', 'staging', 2))).toMatchObject({ outcome: 'applied', stack: 'shop', environment: 'staging', version: 2 });
      expect(sut.apply(update('shop', 'staging', 1))).toMatchObject({ outcome: 'rejected', stack: 'shop', environment: 'staging', keptVersion: 2 });

      expect(versions()).toEqual([undefined, 2, 4]);
    });

    it('accepts only the configs of the hosts it serves, and NACKs any other given to it directly', () => {
      const sut = newLoaders({ virtualHosts });

      expect(sut.accepts(published('shop', 'staging'))).toBe(true);
      expect(sut.accepts(published('search', 'staging'))).toBe(false);
      expect(sut.apply(update('search', 'staging', 1))).toEqual({
        outcome: 'rejected',
        stack: 'search',
        environment: 'staging',
        version: 1,
        gatewayId: 'gw-1',
        reason: 'this gateway serves no virtual host for search/staging',
        violations: [],
        keptVersion: null,
      });
      expect(versions()).toEqual([]);
    });

    it('keeps a last-known-good file per host and restores each into its own host', async () => {
      const sut = newLoaders({ virtualHosts });
      sut.apply(update('shop', 'production', 3));
      sut.apply(update('search', 'production', 7));
      await sut.flushed();

      served = [];
      newLoaders({ virtualHosts }).loadLastKnownGood();

      expect(versions()).toEqual([3, undefined, 7]);
    });

    it('does not restore a host from a file written for another stack', async () => {
      const single = newLoaders({ stateDir: join(stateDir, 'search', 'production') });
      single.apply(update('shop', 'production', 3));
      await single.flushed();

      served = [];
      newLoaders({ virtualHosts }).loadLastKnownGood();

      expect(versions()).toEqual([]);
    });
  });

  describe('with one stack', () => {
    it('takes the first config given, then only its stack and environment, as a gateway always has', () => {
      const sut = newLoaders();

      expect(sut.accepts(published('search', 'staging'))).toBe(true);
      expect(sut.apply(update('search', 'staging', 1))).toMatchObject({ outcome: 'applied' });
      expect(sut.accepts(published('shop', 'production'))).toBe(false);
      expect(sut.apply(update('shop', 'production', 2))).toMatchObject({ outcome: 'rejected', reason: 'this gateway routes search/staging, not shop/production' });
    });

    it('accepts only its pinned stack and environment', () => {
      const sut = newLoaders({ stack: 'shop', environment: 'production' });

      expect(sut.accepts(published('shop', 'production'))).toBe(true);
      expect(sut.accepts(published('shop', 'staging'))).toBe(false);
    });

    it('says once per stack and environment that it left a config to other gateways, and how to serve several', () => {
      const logger = new Logger('spec');
      const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
      const sut = newLoaders({ stack: 'shop', environment: 'production', logger });

      sut.accepts(published('ledger', 'production'));
      sut.accepts(published('ledger', 'production'));
      sut.accepts(published('shop', 'production'));
      sut.accepts(published('shop', 'staging'));

      expect(warn.mock.calls.map(([, fields]) => [fields?.['stack'], fields?.['environment'], fields?.['serves']])).toEqual([
        ['ledger', 'production', ['shop/production']],
        ['shop', 'staging', ['shop/production']],
      ]);
      expect(warn.mock.calls[0]?.[1]?.['hint']).toContain('STRATA_GATEWAY_VIRTUAL_HOSTS');
    });
  });
});
