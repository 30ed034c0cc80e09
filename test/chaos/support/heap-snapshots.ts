import { closeSync, openSync, readFileSync, readSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Node options that let a test take heap snapshots of a service process: SIGUSR2 writes one
 * into `directory`. A snapshot is taken after a full garbage collection, so comparing two of
 * them measures what the process retains, where sampled heapUsed mostly measures GC timing.
 */
export function heapSnapshotOptions(directory: string): string {
  return `--heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${directory}`;
}

/** Asks the process for a snapshot; resolves with its path once the file is whole (it ends the JSON). */
export async function takeHeapSnapshot(pid: number, directory: string, timeoutMs = 60_000): Promise<string> {
  const before = new Set(readdirSync(directory));
  process.kill(pid, 'SIGUSR2');
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    const file = readdirSync(directory).find((name) => name.endsWith('.heapsnapshot') && !before.has(name) && name.includes(`.${pid}.`));
    if (file && endsWith(join(directory, file), ']}')) {
      return join(directory, file);
    }
    if (Date.now() > deadline) {
      throw new Error(`process ${pid} wrote no whole heap snapshot within ${timeoutMs} ms`);
    }
  }
}

/**
 * The bytes a snapshot's objects hold. Parsing blocks for seconds: do it once traffic has stopped,
 * or the test's own clients stall on it.
 */
export function retainedBytes(path: string): number {
  const snapshot = JSON.parse(readFileSync(path, 'utf8')) as { snapshot: { meta: { node_fields: string[] } }; nodes: number[] };
  const fields = snapshot.snapshot.meta.node_fields;
  let total = 0;
  for (let index = fields.indexOf('self_size'); index < snapshot.nodes.length; index += fields.length) {
    total += snapshot.nodes[index]!;
  }
  return total;
}

function endsWith(path: string, suffix: string): boolean {
  const size = statSync(path).size;
  if (size < suffix.length) {
    return false;
  }
  const descriptor = openSync(path, 'r');
  try {
    const tail = Buffer.alloc(suffix.length);
    readSync(descriptor, tail, 0, suffix.length, size - suffix.length);
    return tail.toString() === suffix;
  } finally {
    closeSync(descriptor);
  }
}
