import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFilePath, readConfigFile, resolveConnection, writeConfigFile } from './connection';
import { UsageError } from './errors';

describe(resolveConnection.name, () => {
  const file = { api: 'http://file:1', token: 'file-token' };

  it('takes flags over STRATA_API/STRATA_TOKEN over the config file, each on its own', () => {
    expect(resolveConnection({ api: 'http://flag:1', token: 'flag-token' }, { STRATA_API: 'http://env:1', STRATA_TOKEN: 'env-token' }, file)).toEqual({ api: 'http://flag:1', token: 'flag-token' });
    expect(resolveConnection({}, { STRATA_API: 'http://env:1/', STRATA_TOKEN: 'env-token' }, file)).toEqual({ api: 'http://env:1', token: 'env-token' });
    expect(resolveConnection({ token: 'flag-token' }, {}, file)).toEqual({ api: 'http://file:1', token: 'flag-token' });
    expect(resolveConnection({}, {}, {})).toEqual({ api: 'http://127.0.0.1:8080', token: undefined });
  });

  it('refuses an API that is not an http(s) URL, naming where it came from', () => {
    expect(() => resolveConnection({}, { STRATA_API: 'localhost:8080' }, {})).toThrow(new UsageError("STRATA_API: 'localhost:8080' must be an http or https URL"));
    expect(() => resolveConnection({ api: 'not a url' }, {}, {})).toThrow(new UsageError("--api: 'not a url' is not a URL (e.g. http://127.0.0.1:8080)"));
  });
});

describe('the config file', () => {
  let home: string;

  beforeEach(async () => {
    home = await mkdtemp(join(tmpdir(), 'strata-cli-config-'));
  });

  afterEach(async () => {
    await rm(home, { recursive: true, force: true });
  });

  it('lives under ~/.config/strata, or $XDG_CONFIG_HOME/strata', () => {
    expect(configFilePath({ HOME: '/home/sre' })).toBe('/home/sre/.config/strata/config.yaml');
    expect(configFilePath({ HOME: '/home/sre', XDG_CONFIG_HOME: '/etc/xdg' })).toBe('/etc/xdg/strata/config.yaml');
  });

  it('is written for its owner alone and read back; a missing one is empty', async () => {
    const path = configFilePath({ HOME: home });
    expect(await readConfigFile(path)).toEqual({});
    await writeConfigFile(path, { api: 'http://127.0.0.1:8080', token: 'strata_secret' });
    expect((await stat(path)).mode & 0o777).toBe(0o600);
    expect(await readFile(path, 'utf8')).toBe('api: http://127.0.0.1:8080\ntoken: strata_secret\n');
    expect(await readConfigFile(path)).toEqual({ api: 'http://127.0.0.1:8080', token: 'strata_secret' });
  });

  it('names the field that is not a string', async () => {
    const path = join(home, 'config.yaml');
    await writeFile(path, 'api: [1]\n');
    await expect(readConfigFile(path)).rejects.toThrow(`${path}: api must be a string`);
  });
});
