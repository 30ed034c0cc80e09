import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RoutingConfigUpdate } from './routing-config-update';

const FILE_NAME = 'last-known-good-routing.json';

/**
 * The routing config the gateway last applied, on local disk: static stability means a gateway
 * restarted while the control plane, the bus or PostgreSQL is down still routes as it did.
 * Written to a temporary file and renamed, so a crash mid-write never leaves half a config.
 */
export class LastKnownGoodStore {
  private readonly file: string;

  constructor(private readonly directory: string) {
    this.file = join(directory, FILE_NAME);
  }

  get path(): string {
    return this.file;
  }

  save(update: RoutingConfigUpdate): void {
    mkdirSync(this.directory, { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(temporary, JSON.stringify(update), { mode: 0o600 });
    renameSync(temporary, this.file);
  }

  /** The stored update, unvalidated (the caller validates it like any other input); undefined if none. */
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
}
