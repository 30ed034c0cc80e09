// Builds the dashboard into dist/dashboard when it is missing or older than its sources; run by
// `npm install` (postinstall) and `npm start` (prestart), so a fresh clone serves /ui with no
// step of its own. `--force` builds anyway (`npm run build:ui`). Needs only what npm installed.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = fileURLToPath(new URL('.', import.meta.url));
const built = join(here, '..', '..', 'dist', 'dashboard', 'index.html');

function newestSource(directory) {
  let newest = 0;
  for (const entry of readdirSync(directory, { withFileTypes: true })) {
    const path = join(directory, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestSource(path) : statSync(path).mtimeMs);
  }
  return newest;
}

const sources = Math.max(newestSource(join(here, 'src')), statSync(join(here, 'index.html')).mtimeMs, statSync(join(here, 'vite.config.mjs')).mtimeMs);
if (!process.argv.includes('--force') && existsSync(built) && statSync(built).mtimeMs >= sources) {
  process.exit(0);
}

let vite;
try {
  vite = await import('vite');
} catch {
  // An install without devDependencies (npm ci --omit=dev) has no toolchain: say so, do not fail the install.
  process.stderr.write('dashboard: not built (vite is not installed; run `npm install` with dev dependencies, then `npm run build:ui`)\n');
  process.exit(0);
}
const started = Date.now();
await vite.build({ configFile: join(here, 'vite.config.mjs') });
process.stdout.write(`dashboard: built into dist/dashboard in ${Date.now() - started} ms\n`);
