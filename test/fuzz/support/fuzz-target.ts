import { createTestDatabase, TestDatabase } from '@strata/testing';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { E2E_ADMIN_TOKEN, ServiceProcess, waitForHealthy } from '../../e2e/support/service-process';

export interface FuzzTarget {
  apiUrl: string;
  databaseUrl: string;
  app: ServiceProcess;
  stop(): Promise<void>;
}

/**
 * The embedded Strata, as an operator runs it (`npm start`), on a fresh database of the test
 * PostgreSQL server so the fuzz suite can count the rows of every service schema.
 */
export async function startFuzzTarget(): Promise<FuzzTarget> {
  const dataDir = await mkdtemp(join(tmpdir(), 'strata-fuzz-'));
  let database: TestDatabase | undefined;
  try {
    database = await createTestDatabase('fuzz');
    const app = new ServiceProcess('strata', {
      STRATA_DATA_DIR: dataDir,
      STRATA_PORT: '0',
      STRATA_GATEWAY_PORT: '0',
      STRATA_GATEWAY_ADMIN_PORT: '0',
      STRATA_BUS: 'memory',
      DATABASE_URL: database.url,
      LOG_LEVEL: 'error',
      // No KPI window is cut during the run: a window closing (and the anomaly and forecast work
      // it starts in other services) would write rows while a refused request is being checked.
      METRICS_WINDOW_PUBLISH_TICK_MS: '86400000',
    });
    app.start();
    const apiUrl = await app.lineStartingWith('api: ', 120_000);
    await waitForHealthy(apiUrl, app);
    const owned = database;
    return {
      apiUrl,
      databaseUrl: owned.url,
      app,
      stop: async () => {
        await app.stop();
        await owned.drop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await database?.drop();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}

/** Headers of a request as the admin (the token every e2e process starts with). */
export function adminHeaders(): Record<string, string> {
  return { accept: 'application/json, application/problem+json', authorization: `Bearer ${E2E_ADMIN_TOKEN}` };
}

let turn = 0;

/**
 * Every fuzzed request's headers, in a fixed rotation so a seeded run is repeatable: six in eight
 * carry the admin token (so hostile input reaches validation, services and the database), one none
 * and one a forged token (so the guard is fuzzed too: those must be 401, never 5xx).
 */
export function fuzzHeaders(): Record<string, string> {
  const current = turn++ % 8;
  const headers = adminHeaders();
  if (current === 6) {
    delete headers['authorization'];
  } else if (current === 7) {
    headers['authorization'] = 'Bearer strata_forged-0000000000000000000000000000000000000000';
  }
  return headers;
}
