import { Client } from 'pg';

/** The production database: a connection URL, or a connected pg Client whose settings give one. */
export type ProductionDatabase = string | Client;

/** An error of the staging database naming the option (or argument) it is about, for a problem+json `field`. */
export class StagingDatabaseError extends Error {
  constructor(
    readonly field: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StagingDatabaseError';
  }
}

/** A URL for the settings of a connected client (its own connection is never borrowed: the copy streams on its own). */
export function urlOf(production: ProductionDatabase): string {
  if (typeof production === 'string') return production;
  const url = new URL('postgres://localhost');
  url.hostname = production.host;
  url.port = String(production.port);
  url.username = production.user ?? '';
  if (production.password) url.password = production.password;
  url.pathname = `/${production.database ?? ''}`;
  return url.toString();
}

/** The URL as it may appear in a message or a log: the password masked. */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return '(not a URL)';
  }
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** A connected client, or an error saying which database could not be reached and why. */
export async function connect(url: string, field: string, role: string): Promise<Client> {
  let client: Client;
  try {
    client = new Client({ connectionString: url, connectionTimeoutMillis: 10_000 });
  } catch (error) {
    throw new StagingDatabaseError(field, `${field}: ${redactUrl(url)} is not a usable PostgreSQL URL: ${(error as Error).message}`, { cause: error });
  }
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    const reason = (error as Error).message || (error as { code?: string }).code || String(error);
    throw new StagingDatabaseError(field, `${field}: the ${role} at ${redactUrl(url)} is unreachable: ${reason}`, { cause: error });
  }
  return client;
}
