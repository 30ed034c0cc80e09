import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, readFile, readdir, readlink, realpath, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { eventually } from '@strata/testing';
import { E2E_BEARER, ServiceProcess, waitForHealthy } from './support/service-process';

/**
 * The postgres user and its permissions come into play only when Strata runs as root (PostgreSQL
 * refuses root, so the cluster runs as user postgres). Root runs (CI) test that path; other users
 * test theirs, where the server runs as themselves: no case is skipped.
 */
const isRoot = process.getuid?.() === 0;
const asRoot = isRoot ? it : (_name: string, _test: () => Promise<void>, _timeout?: number) => undefined;

/**
 * The embedded PostgreSQL of `npm start` lives and dies with its launcher: a SIGKILL leaves no
 * server behind, a stale postmaster.pid does not stop the next start, and as root a data
 * directory inside a private one works.
 */
describe('embedded PostgreSQL (npm start)', () => {
  const cleanup: (() => Promise<unknown>)[] = [];

  afterEach(async () => {
    for (const step of cleanup.splice(0).reverse()) {
      await step();
    }
  });

  async function tempDir(): Promise<string> {
    const dir = await mkdtemp(join(tmpdir(), 'strata-pg-')); // mode 0700, as `mktemp -d` makes it
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  }

  async function start(dataDir: string, env: Record<string, string> = {}): Promise<{ strata: ServiceProcess; api: string }> {
    const strata = new ServiceProcess('strata', { STRATA_DATA_DIR: dataDir, STRATA_PORT: '0', STRATA_GATEWAY_PORT: '0', LOG_LEVEL: 'info', ...env });
    cleanup.push(() => strata.kill());
    strata.start();
    const api = await strata.lineStartingWith('api: ');
    await waitForHealthy(api, strata); // a loaded 2-core machine may need more than one health probe's 2 s
    return { strata, api };
  }

  /** The processes of a cluster (Linux): its postmaster and watchdog name it, every PostgreSQL process works in it. */
  async function processesOf(clusterDir: string): Promise<number[]> {
    const real = await realpath(clusterDir);
    const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
    const found = await Promise.all(
      pids.map(async (pid) => {
        const cwd = await readlink(`/proc/${pid}/cwd`).catch(() => '');
        const commandLine = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
        return cwd === real || commandLine.includes(clusterDir) ? [Number(pid)] : [];
      }),
    );
    return found.flat();
  }

  async function processesNaming(...words: string[]): Promise<number[]> {
    const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
    const found = await Promise.all(
      pids.map(async (pid) => {
        const commandLine = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
        return words.every((word) => commandLine.includes(word)) ? [Number(pid)] : [];
      }),
    );
    return found.flat();
  }

  async function postmasterPid(clusterDir: string): Promise<number> {
    return Number((await readFile(join(clusterDir, 'postmaster.pid'), 'utf8')).split('\n')[0]);
  }

  it(
    'stops PostgreSQL when its launcher is SIGKILLed, and the next start comes up on the kept data without recovering anything',
    async () => {
      const dataDir = await tempDir();
      const clusterDir = join(dataDir, 'postgres');
      const first = await start(dataDir);
      const created = await fetch(`${first.api}/v1/stacks`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...E2E_BEARER },
        body: JSON.stringify({ name: 'kept', environments: [{ name: 'production' }] }),
      });
      expect(created.status).toBe(201);
      const running = await processesOf(clusterDir);
      expect(running).toContain(await postmasterPid(clusterDir));
      expect(running.length).toBeGreaterThan(3); // postmaster, watchdog, background processes, the pool's backends

      await first.strata.kill();
      const killedAt = Date.now();
      await eventually(async () => expect(await processesOf(clusterDir)).toEqual([]), 10_000, 100);
      process.stdout.write(`embedded PostgreSQL gone ${Date.now() - killedAt} ms after its launcher's SIGKILL\n`);
      expect(existsSync(join(clusterDir, 'postmaster.pid'))).toBe(false); // a shutdown, not a crash: PostgreSQL removed it

      const second = await start(dataDir);
      expect((await fetch(`${second.api}/v1/stacks/kept`, { headers: E2E_BEARER })).status).toBe(200);
      expect(second.strata.log).not.toMatch(/left running|stale postmaster\.pid/);
      expect(await second.strata.interrupt()).toBe(0);
      // Ctrl-C stops everything too: the launcher waits for PostgreSQL, the disarmed watchdog leaves.
      await eventually(async () => expect(await processesOf(clusterDir)).toEqual([]), 5_000, 100);
    },
    180_000,
  );

  it(
    'stops a PostgreSQL left running when its watchdog was killed too, and starts on a stale postmaster.pid, whether its pid is dead or now an unrelated live process, signalling neither',
    async () => {
      const dataDir = await tempDir();
      const clusterDir = join(dataDir, 'postgres');
      const first = await start(dataDir);
      const pidFile = await readFile(join(clusterDir, 'postmaster.pid'), 'utf8');
      const postmaster = await postmasterPid(clusterDir);
      const watchdogs = await processesNaming('strata-postgres-watchdog', clusterDir);
      expect(watchdogs).toHaveLength(1);
      process.kill(watchdogs[0], 'SIGKILL');
      await first.strata.kill();
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      expect(await processesOf(clusterDir)).toContain(postmaster); // without its watchdog, nothing stops it

      const second = await start(dataDir);
      expect(second.strata.log).toContain('stopping a PostgreSQL left running by an earlier Strata process');
      expect(await processesOf(clusterDir)).not.toContain(postmaster);
      expect(await second.strata.interrupt()).toBe(0);
      const staleWith = (pid: number) => writeFile(join(clusterDir, 'postmaster.pid'), pidFile.replace(/^\d+/, String(pid)));

      // After a reboot or in a container, the pid a killed server left is often another process's.
      const unrelated: ChildProcess = spawn('sleep', ['120'], { stdio: 'ignore' });
      cleanup.push(async () => unrelated.kill('SIGKILL'));
      await staleWith(unrelated.pid!);
      const third = await start(dataDir);
      expect(third.strata.log).toContain('removing a stale postmaster.pid: its pid is now another process');
      expect({ exitCode: unrelated.exitCode, signalCode: unrelated.signalCode }).toEqual({ exitCode: null, signalCode: null });
      expect(await third.strata.interrupt()).toBe(0);

      const gone = spawn('true');
      await new Promise((resolve) => gone.once('exit', resolve));
      await staleWith(gone.pid!);
      const fourth = await start(dataDir);
      expect(fourth.strata.log).toContain('postmaster.pid names a process that is gone');
      expect(await fourth.strata.interrupt()).toBe(0);
    },
    180_000,
  );

  asRoot(
    'as root, starts with STRATA_DATA_DIR inside a private (0700) directory, letting user postgres alone through it',
    async () => {
      const privateDir = await tempDir();
      const dataDir = join(privateDir, 'data');
      const { strata } = await start(dataDir);
      expect(strata.log).toContain(`granted user postgres search (x) permission on ${privateDir} by an ACL entry`);
      expect(await strata.interrupt()).toBe(0);

      expect((await stat(privateDir)).mode & 0o007).toBe(0); // others still have nothing
      const search = (uid: number) => {
        try {
          execFileSync('test', ['-x', dataDir], { uid });
          return true;
        } catch {
          return false;
        }
      };
      expect(search(Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })))).toBe(true);
      expect(search(Number(execFileSync('id', ['-u', 'nobody'], { encoding: 'utf8' })))).toBe(false);
    },
    120_000,
  );

  asRoot(
    'as root without setfacl, stops at start naming STRATA_DATA_DIR, the directory in the way and what to do (exit 78), changing nothing',
    async () => {
      const privateDir = await tempDir();
      const dataDir = join(privateDir, 'data');
      // A PATH with what the launcher needs before PostgreSQL starts (id, test) and no setfacl.
      const bin = join(await tempDir(), 'bin');
      await mkdir(bin);
      await chmod(dirname(bin), 0o755); // user postgres runs `test` from it
      for (const tool of ['id', 'test']) {
        await symlink(execFileSync('which', [tool], { encoding: 'utf8' }).trim(), join(bin, tool));
      }
      const strata = new ServiceProcess('strata', { STRATA_DATA_DIR: dataDir, STRATA_PORT: '0', STRATA_GATEWAY_PORT: '0', PATH: bin });
      cleanup.push(() => strata.kill());
      strata.start();

      expect(await strata.exitCode(60_000)).toBe(78);
      expect(strata.log).toContain(`STRATA_DATA_DIR: PostgreSQL cannot reach ${dataDir}`);
      expect(strata.log).toContain(`${privateDir} (mode 0700, owner uid 0) does not let that user through`);
      expect(strata.log).toContain(`chmod o+x ${privateDir}`);
      expect((await stat(privateDir)).mode & 0o777).toBe(0o700); // no ACL mask, no o+x
      expect(existsSync(join(dataDir, 'postgres'))).toBe(false);
    },
    60_000,
  );

  if (!isRoot) {
    it(
      'as a user other than root, starts with STRATA_DATA_DIR inside a private (0700) directory: the server runs as that user',
      async () => {
        const privateDir = await tempDir();
        const { strata } = await start(join(privateDir, 'data'));
        expect(strata.log).not.toContain('ACL entry');
        expect(await strata.interrupt()).toBe(0);
        expect((await stat(privateDir)).mode & 0o077).toBe(0);
      },
      120_000,
    );
  }
});
