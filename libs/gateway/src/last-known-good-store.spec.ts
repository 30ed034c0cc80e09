import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LastKnownGoodStore } from './last-known-good-store';

describe(LastKnownGoodStore.name, () => {
  let dir: string;
  const failures: unknown[] = [];
  const update = (version: number) => ({ stack: 'shop', environment: 'prod', version, config: { component: 'checkout' } });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'strata-lkg-'));
    failures.length = 0;
  });

  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('loads nothing before the first save', () => {
    expect(new LastKnownGoodStore(join(dir, 'gw'), (error) => failures.push(error)).load()).toBeUndefined();
  });

  it('returns before the file is written, and has it on disk once flushed, with no temporary file left', async () => {
    const sut = new LastKnownGoodStore(join(dir, 'gw'), (error) => failures.push(error));

    sut.save(update(1));
    const before = readdirSync(dir);
    await sut.flushed();

    expect(before).toEqual([]);
    expect(sut.load()).toEqual(update(1));
    expect(readdirSync(join(dir, 'gw'))).toEqual(['last-known-good-routing.json']);
    expect(failures).toEqual([]);
  });

  it('writes the latest of the saves queued while one is written, skipping those already replaced', async () => {
    const sut = new LastKnownGoodStore(dir, (error) => failures.push(error));

    for (let version = 1; version <= 5; version++) {
      sut.save(update(version));
    }
    await sut.flushed();

    expect(sut.load()).toEqual(update(5));
  });

  it('reports a save that fails and keeps the file it had', async () => {
    const sut = new LastKnownGoodStore(dir, (error) => failures.push(error));
    sut.save(update(1));
    await sut.flushed();
    // A directory where the temporary file goes makes the next write fail.
    const blocked = new LastKnownGoodStore(join(dir, 'last-known-good-routing.json', 'below'), (error) => failures.push(error));

    blocked.save(update(2));
    await blocked.flushed();

    expect(failures).toHaveLength(1);
    expect(sut.load()).toEqual(update(1));
  });

  it('throws on a file that is not JSON, for the caller to report', () => {
    writeFileSync(join(dir, 'last-known-good-routing.json'), '{not json');

    expect(() => new LastKnownGoodStore(dir, (error) => failures.push(error)).load()).toThrow(SyntaxError);
  });
});
