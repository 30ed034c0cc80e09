import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

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
