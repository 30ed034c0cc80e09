import { execFile } from 'node:child_process';
import { chmod, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { promisify } from 'node:util';
import { ConfigError } from '@strata/config';
import { Logger } from '@strata/observability';

const run = promisify(execFile);

/** Whom the PostgreSQL processes run as: Strata's own user, or `postgres` when Strata runs as root. */
export interface ServerUser {
  name?: string;
  uid?: number;
  gid?: number;
}

/** PostgreSQL refuses to run as root; as root it runs as the `postgres` system user (created if missing). */
export async function serverUser(): Promise<ServerUser> {
  if (process.getuid?.() !== 0) {
    return {};
  }
  const lookup = async () => ({
    name: 'postgres',
    uid: Number((await run('id', ['-u', 'postgres'])).stdout),
    gid: Number((await run('id', ['-g', 'postgres'])).stdout),
  });
  try {
    return await lookup();
  } catch {
    await run('groupadd', ['--system', 'postgres']).catch(() => undefined);
    await run('useradd', ['--system', '-g', 'postgres', '--no-create-home', 'postgres']);
    return lookup();
  }
}

/** The spawn options that run a child as that user. */
export function spawnIdentity(user: ServerUser): { uid?: number; gid?: number } {
  return user.uid === undefined ? {} : { uid: user.uid, gid: user.gid };
}

/** Whether `user` may search (pass through) `dir` and every directory above it: asked of the kernel, ACLs and all. */
async function canSearch(dir: string, user: ServerUser): Promise<boolean> {
  try {
    await run('test', ['-x', dir], spawnIdentity(user));
    return true;
  } catch (error) {
    if ((error as { code?: unknown }).code === 1) {
      return false;
    }
    throw error;
  }
}

/** An ACL entry letting `user` alone search `dir`; false where setfacl is missing or the file system has no ACLs. */
async function grantSearchByAcl(dir: string, user: ServerUser): Promise<boolean> {
  try {
    await run('setfacl', ['-m', `u:${user.uid}:x`, dir]);
    return canSearch(dir, user);
  } catch {
    return false;
  }
}

function pathFromRoot(dir: string): string[] {
  const parent = dirname(dir);
  return parent === dir ? [dir] : [...pathFromRoot(parent), dir];
}

/**
 * As root, the cluster in `<dataDir>/postgres` belongs to user postgres, which must be able to
 * search every directory on the way to it. STRATA_DATA_DIR often lies in a directory private to
 * root (`mktemp -d`: 0700), where initdb fails with "Permission denied".
 *
 * Only the least is granted, and only what is missing: search (x, not read: nothing can be listed)
 * for user postgres alone, by an ACL entry, on each directory that stops it. Where no ACL can be
 * set (no setfacl, or a file system without ACLs), Strata's own directories (the data directory
 * and any it created) are opened to every user's search (o+x), which exposes nothing their own
 * modes do not (the password file is 0600, the cluster 0700); an operator's directory is not:
 * letting every local user through a directory someone made private is their call, so the start
 * stops with what to do. Every change is logged with how to undo it.
 */
export async function letServerReach(dataDir: string, firstCreated: string | undefined, user: ServerUser, logger: Logger): Promise<void> {
  if (user.uid === undefined || (await canSearch(dataDir, user))) {
    return;
  }
  // `mkdir -p` of the data directory created `firstCreated` and everything below it on the way.
  const strataOwned = (dir: string) => dir === dataDir || (firstCreated !== undefined && dir.length >= firstCreated.length);
  for (const dir of pathFromRoot(dataDir)) {
    if (await canSearch(dir, user)) {
      continue;
    }
    if (await grantSearchByAcl(dir, user)) {
      logger.warn(`granted user ${user.name} search (x) permission on ${dir} by an ACL entry, so that PostgreSQL can reach its data`, {
        dir,
        undo: `setfacl -x u:${user.name} ${dir}`,
      });
      continue;
    }
    const { mode, uid } = await stat(dir);
    if (strataOwned(dir)) {
      await chmod(dir, (mode & 0o7777) | 0o001);
      logger.warn(`granted every user search (x) permission on Strata's directory ${dir} (no ACL could be set), so that PostgreSQL can reach its data`, { dir });
      continue;
    }
    throw new ConfigError([
      `STRATA_DATA_DIR: PostgreSQL cannot reach ${dataDir}: Strata runs as root, so PostgreSQL runs as user ${user.name} (it refuses root), ` +
        `and ${dir} (mode ${(mode & 0o777).toString(8).padStart(4, '0')}, owner uid ${uid}) does not let that user through. ` +
        `Install setfacl (Debian, Ubuntu: apt-get install acl) and Strata grants user ${user.name} alone search permission on it; ` +
        `or grant it yourself (setfacl -m u:${user.name}:x ${dir}, or chmod o+x ${dir} to let every user through); ` +
        `or choose a STRATA_DATA_DIR outside ${dir}; or set DATABASE_URL to use another PostgreSQL.`,
    ]);
  }
}
