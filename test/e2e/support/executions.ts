import { execFileSync } from 'node:child_process';
import { eventually } from '@strata/testing';
import { apiCall } from './api';

interface ExecutionLike {
  status: string;
  steps?: unknown[];
}

/** The execution once it ended (succeeded, failed or abandoned), polled every `intervalMs` until `timeoutMs`. */
export function executionDone<T extends ExecutionLike>(rollbackUrl: string, id: string, timeoutMs: number, intervalMs = 100): Promise<T> {
  return eventually(
    async () => {
      const current = (await apiCall<T>(rollbackUrl, 'GET', `/v1/executions/${id}`)).body;
      if (!['succeeded', 'failed', 'abandoned'].includes(current.status)) throw new Error(`execution still ${current.status}: ${JSON.stringify(current.steps ?? [])}`);
      return current;
    },
    timeoutMs,
    intervalMs,
  );
}

/**
 * Starts a deploy or rollback of the stack's production, asked again until it is accepted: the
 * rollback service learns groups from the registry's events, so one just registered may not have
 * reached it yet.
 */
export function startExecution<T>(rollbackUrl: string, stack: string, kind: 'deploy' | 'rollback', body: Record<string, unknown>, timeoutMs = 20_000, intervalMs = 100): Promise<T> {
  return eventually(
    async () => {
      const sent = await apiCall<T>(rollbackUrl, 'POST', `/v1/stacks/${stack}/environments/production/${kind}`, body);
      if (sent.status !== 202) throw new Error(`${kind} answered ${sent.status}: ${JSON.stringify(sent.body)}`);
      return sent.body;
    },
    timeoutMs,
    intervalMs,
  );
}

/** The target's schema as pg_dump prints it, without Strata's ledger schema and pg_dump's per-run restrict key. */
export function schemaDump(url: string): string {
  const dump = execFileSync('pg_dump', ['--schema-only', '--exclude-schema=strata', '--no-owner', url], { encoding: 'utf8' });
  return dump
    .split('\n')
    .filter((line) => !line.startsWith('\\restrict') && !line.startsWith('\\unrestrict'))
    .join('\n');
}
