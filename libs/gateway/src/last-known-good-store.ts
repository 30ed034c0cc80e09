import { readFileSync } from 'node:fs';
import { mkdir, open, rename } from 'node:fs/promises';
import { join } from 'node:path';
import { RoutingPolicyUpdate } from './routing-policy-update';

const FILE_NAME = 'last-known-good-routing.json';

/**
 * The routing config the gateway last applied, on local disk: static stability means a gateway
 * restarted while the control plane, the bus or PostgreSQL is down still routes as it did.
 *
 * A save never blocks the serving event loop: it runs on libuv's thread pool, writes a temporary
 * file, fsyncs it, renames it over the old one and fsyncs the directory, so a crash or a power
 * cut leaves either the old config or the new one, never half of one (a rename without the fsync
 * can reach the disk before the data it names). Saves are queued: only the latest update waiting
 * is written, since an older one would be replaced at once.
 */
export class LastKnownGoodStore {
  private readonly file: string;
  private writing: Promise<void> = Promise.resolve();
  private next: RoutingPolicyUpdate | undefined;

  constructor(
    private readonly directory: string,
    private readonly onSaveFailed: (error: unknown) => void,
  ) {
    this.file = join(directory, FILE_NAME);
  }

  get path(): string {
    return this.file;
  }

  /** Queues the update to be written; returns at once. */
  save(update: RoutingPolicyUpdate): void {
    const queued = this.next !== undefined;
    this.next = update;
    if (!queued) {
      this.writing = this.writing.then(() => this.writeNext());
    }
  }

  /** Resolves once every save queued so far is on disk (or failed and was reported). */
  flushed(): Promise<void> {
    return this.writing;
  }

  /**
   * The stored update, unvalidated (the caller validates it like any other input); undefined if
   * none. Synchronous: it runs once at start, before the gateway serves.
   */
  load(): unknown {
    let text: string;
    try {
      text = readFileSync(this.file, 'utf8');
    } catch (error: unknown) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
        return undefined;
      }
      throw error;
    }
    return JSON.parse(text) as unknown;
  }

  private async writeNext(): Promise<void> {
    const update = this.next;
    this.next = undefined;
    if (update === undefined) {
      return;
    }
    try {
      await this.write(JSON.stringify(update));
    } catch (error: unknown) {
      this.onSaveFailed(error);
    }
  }

  private async write(text: string): Promise<void> {
    await mkdir(this.directory, { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    const handle = await open(temporary, 'w', 0o600);
    try {
      await handle.writeFile(text, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temporary, this.file);
    const directory = await open(this.directory, 'r');
    try {
      await directory.sync();
    } finally {
      await directory.close();
    }
  }
}
