import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { parse, stringify } from 'yaml';
import { Connection } from './api-client';
import { UsageError } from './errors';

export const DEFAULT_API = 'http://127.0.0.1:8080';

export interface ConfigFile {
  api?: string;
  token?: string;
}

export interface ConnectionFlags {
  api?: string;
  token?: string;
}

/** `$XDG_CONFIG_HOME/strata/config.yaml`, which is `~/.config/strata/config.yaml` by default. */
export function configFilePath(env: NodeJS.ProcessEnv): string {
  const base = env['XDG_CONFIG_HOME'] || join(env['HOME'] || homedir(), '.config');
  return join(base, 'strata', 'config.yaml');
}

export async function readConfigFile(path: string): Promise<ConfigFile> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  const parsed: unknown = parse(text);
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new UsageError(`${path}: expected a mapping with api and token`);
  }
  const { api, token } = parsed as Record<string, unknown>;
  for (const [field, value] of Object.entries({ api, token })) {
    if (value !== undefined && typeof value !== 'string') throw new UsageError(`${path}: ${field} must be a string`);
  }
  return { api: api as string | undefined, token: token as string | undefined };
}

/** Written readable by its owner only: it holds a bearer token. Replaced atomically. */
export async function writeConfigFile(path: string, config: ConfigFile): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.${process.pid}.tmp`;
  await writeFile(temporary, stringify(config), { mode: 0o600 });
  await rename(temporary, path);
}

/** Flags first, then STRATA_API / STRATA_TOKEN, then the config file; the API defaults to the local `npm start`. */
export function resolveConnection(flags: ConnectionFlags, env: NodeJS.ProcessEnv, file: ConfigFile): Connection {
  const [api, source] = flags.api ? [flags.api, '--api'] : env['STRATA_API'] ? [env['STRATA_API'], 'STRATA_API'] : file.api ? [file.api, 'api in the config file'] : [DEFAULT_API, 'default'];
  let url: URL;
  try {
    url = new URL(api);
  } catch {
    throw new UsageError(`${source}: '${api}' is not a URL (e.g. ${DEFAULT_API})`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`${source}: '${api}' must be an http or https URL`);
  }
  return { api: api.replace(/\/+$/, ''), token: flags.token || env['STRATA_TOKEN'] || file.token || undefined };
}
