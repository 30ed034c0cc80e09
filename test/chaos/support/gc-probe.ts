import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Settings that make a service process answer SIGUSR2 with a full GC and the heap it retains
 * (test/chaos/support/gc-probe.js, preloaded), written into `directory`.
 */
export function gcProbeEnvironment(directory: string): Record<string, string> {
  return { NODE_OPTIONS: `--expose-gc --require ${join(__dirname, 'gc-probe.js')}`, STRATA_GC_PROBE_DIR: directory };
}

/** The bytes the process still uses right after a full garbage collection. */
export async function retainedHeapBytes(pid: number, directory: string, timeoutMs = 30_000): Promise<number> {
  const probes = readdirSync(directory).filter((name) => name.startsWith(`${pid}.`)).length;
  const file = join(directory, `${pid}.${probes + 1}.json`);
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + timeoutMs;
  while (!existsSync(file)) {
    if (Date.now() > deadline) {
      throw new Error(`process ${pid} answered no GC probe within ${timeoutMs} ms (started without test/chaos/support/gc-probe.js?)`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  await new Promise((resolve) => setTimeout(resolve, 50)); // written in one call; let it land
  return (JSON.parse(readFileSync(file, 'utf8')) as { heapUsed: number }).heapUsed;
}
