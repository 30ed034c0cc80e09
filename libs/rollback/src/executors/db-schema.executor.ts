import { Inject, Injectable } from '@nestjs/common';
import { postgresUrl } from '@strata/config';
import { DbSchemaSpec, LedgerRow, ledgerDecision, schemaScript, schemaTimeouts } from '@strata/domain';
import { Client } from 'pg';
import { ROLLBACK_TUNING, RollbackTuning } from '../config/rollback-tuning';
import { CatalogVersionEntity } from '../entities/catalog.entity';
import { CatalogRepository } from '../repositories/catalog.repository';
import { LayerExecutor, StepContext, StepProgress } from './layer-executor';

/** The ledger a target database keeps of the versions Strata applied to it (schema `strata`, left out of schema comparisons). */
const LEDGER_DDL = [
  'CREATE SCHEMA IF NOT EXISTS strata',
  `CREATE TABLE IF NOT EXISTS strata.schema_ledger (
     id bigserial PRIMARY KEY,
     component text NOT NULL,
     version text NOT NULL,
     applied_at timestamptz NOT NULL DEFAULT now(),
     applied_by text NOT NULL,
     reverted_at timestamptz,
     reverted_by text
   )`,
  'CREATE UNIQUE INDEX IF NOT EXISTS schema_ledger_applied ON strata.schema_ledger (component, version) WHERE reverted_at IS NULL',
];

/**
 * db-schema: `up` forward, the version's rollback actions backward, on the component's target
 * database (its URL from the variable `target.databaseUrlFrom` names; never stored, logged or
 * returned), with the version's `lock_timeout` and `statement_timeout`. A script runs in one
 * transaction with its ledger row, so it is applied exactly once; a script that cannot run in a
 * transaction (`CONCURRENTLY`) runs statement by statement and writes its row after them: a
 * crash between the two re-runs it, which `IF NOT EXISTS` / `IF EXISTS` make harmless.
 */
@Injectable()
export class DbSchemaExecutor implements LayerExecutor {
  readonly types = ['db-schema'];

  constructor(
    private readonly catalog: CatalogRepository,
    @Inject(ROLLBACK_TUNING) private readonly tuning: RollbackTuning,
  ) {}

  preflight(context: Pick<StepContext, 'version' | 'step'>): { field: string; message: string } | undefined {
    const variable = this.variableOf(context.version);
    if (variable === undefined) {
      return { field: `members.${context.step.component}.target.databaseUrlFrom`, message: `the db-schema component ${context.step.component} names no target (target.databaseUrlFrom)` };
    }
    const url = this.tuning.targetEnvironment[variable];
    if (!url) {
      return { field: `members.${context.step.component}.target.databaseUrlFrom`, message: `the variable ${variable} (target.databaseUrlFrom of ${context.step.component}) is not set in the rollback service's environment` };
    }
    // Not echoed, and never handed to the driver: its errors would show what another variable holds.
    if (!postgresUrl.safeParse(url).success) {
      return { field: `members.${context.step.component}.target.databaseUrlFrom`, message: `the variable ${variable} (target.databaseUrlFrom of ${context.step.component}) does not hold a postgres:// or postgresql:// URL` };
    }
    return undefined;
  }

  describe(context: Pick<StepContext, 'version' | 'step' | 'restored'>): string[] {
    const version = context.version;
    if (!version) return [];
    const script = schemaScript({ spec: version.spec as unknown as DbSchemaSpec, rollback: version.rollback }, context.step.action === 'apply' ? 'forward' : 'backward');
    const timeouts = schemaTimeouts(version.config);
    return [
      `on the database of $${this.variableOf(version) ?? '?'}${script.transactional ? ', in one transaction' : ', statement by statement (outside a transaction)'}, lock_timeout ${timeouts.lockTimeoutMs} ms, statement_timeout ${timeouts.statementTimeoutMs} ms:`,
      ...script.statements,
    ];
  }

  async progress(context: StepContext): Promise<StepProgress> {
    const problem = this.preflight(context);
    if (problem) return { status: 'failed', error: problem.message };
    const version = context.version as CatalogVersionEntity;
    const client = new Client({ connectionString: this.tuning.targetEnvironment[this.variableOf(version) as string], connectionTimeoutMillis: 10_000, application_name: 'strata-rollback' });
    try {
      await client.connect();
    } catch (error) {
      return { status: 'failed', error: `cannot connect to the target database of ${version.component} ($${this.variableOf(version)}): ${messageOf(error)}` };
    }
    try {
      for (const statement of LEDGER_DDL) await client.query(statement);
      // Two replicas, or a resumed run beside a stale one, never migrate one component at once.
      await client.query('SELECT pg_advisory_lock(hashtext($1))', [`strata-ledger:${version.component}`]);
      return await this.migrate(client, context, version);
    } catch (error) {
      return { status: 'failed', error: messageOf(error) };
    } finally {
      await client.end().catch(() => undefined);
    }
  }

  private async migrate(client: Client, context: StepContext, version: CatalogVersionEntity): Promise<StepProgress> {
    const { step } = context;
    const rows = await client.query<{ component: string; version: string; reverted_at: Date | null; reverted_by: string | null }>(
      'SELECT component, version, reverted_at, reverted_by FROM strata.schema_ledger WHERE component = $1 ORDER BY id',
      [step.component],
    );
    const ledger: LedgerRow[] = rows.rows.map((row) => ({ component: row.component, version: row.version, revertedAt: row.reverted_at }));
    const direction = step.action === 'apply' ? 'forward' : 'backward';
    const resumed = rows.rows.some((row) => row.reverted_by === step.idempotencyKey);
    const decision = ledgerDecision(ledger, { component: step.component, fromVersion: step.fromVersion, toVersion: step.toVersion, direction, resumed }, await this.catalog.knownVersions(context.manager, context.execution.stack, step.component));
    if ('drift' in decision) return { status: 'failed', error: `drift: ${decision.drift}` };
    if (!decision.run) return { status: 'succeeded', outcome: decision.reason };
    if (direction === 'forward') {
      const count = await this.runScript(client, version, 'forward', (run) => run('INSERT INTO strata.schema_ledger (component, version, applied_by) VALUES ($1, $2, $3)', [step.component, version.version, step.idempotencyKey]));
      return { status: 'succeeded', outcome: `ran ${count} statement(s) of ${step.component}@${version.version} up; the ledger holds it` };
    }
    const outcomes: string[] = [];
    for (const reverted of decision.revert) {
      const definition = reverted === version.version ? version : await this.catalog.version(context.manager, context.execution.stack, step.component, reverted);
      if (!definition) return { status: 'failed', error: `drift: ${step.component}@${reverted} is applied but its definition never reached the rollback service` };
      const count = await this.runScript(client, definition, 'backward', (run) =>
        run('UPDATE strata.schema_ledger SET reverted_at = now(), reverted_by = $3 WHERE component = $1 AND version = $2 AND reverted_at IS NULL', [step.component, reverted, step.idempotencyKey]),
      );
      outcomes.push(`took ${step.component}@${reverted} back (${count} statement(s))`);
    }
    return { status: 'succeeded', outcome: outcomes.join('; ') };
  }

  /** Runs one version's script in one direction, then `record` (the ledger write), timeouts set; the number of statements run. */
  private async runScript(client: Client, version: CatalogVersionEntity, direction: 'forward' | 'backward', record: (run: (sql: string, values: unknown[]) => Promise<unknown>) => Promise<unknown>): Promise<number> {
    const script = schemaScript({ spec: version.spec as unknown as DbSchemaSpec, rollback: version.rollback }, direction);
    const timeouts = schemaTimeouts(version.config);
    const run = (sql: string, values: unknown[] = []) => client.query(sql, values);
    if (script.transactional) {
      await run('BEGIN');
      try {
        await run(`SET LOCAL lock_timeout = ${Math.round(timeouts.lockTimeoutMs)}`);
        await run(`SET LOCAL statement_timeout = ${Math.round(timeouts.statementTimeoutMs)}`);
        await this.statements(run, script.statements);
        await record(run);
        await run('COMMIT');
      } catch (error) {
        await run('ROLLBACK').catch(() => undefined);
        throw error;
      }
      return script.statements.length;
    }
    await run(`SET lock_timeout = ${Math.round(timeouts.lockTimeoutMs)}`);
    await run(`SET statement_timeout = ${Math.round(timeouts.statementTimeoutMs)}`);
    await this.statements(run, script.statements);
    await record(run);
    return script.statements.length;
  }

  private async statements(run: (sql: string) => Promise<unknown>, statements: readonly string[]): Promise<void> {
    for (const [index, statement] of statements.entries()) {
      try {
        await run(statement);
      } catch (error) {
        throw new Error(`statement ${index + 1} of ${statements.length} failed: ${messageOf(error)} (${statement.slice(0, 200)})`);
      }
    }
  }

  private variableOf(version: CatalogVersionEntity | null): string | undefined {
    const variable = version?.target['databaseUrlFrom'];
    return typeof variable === 'string' && variable.length > 0 ? variable : undefined;
  }
}

/** A driver error's message, which never holds the URL (pg does not echo it). */
function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
