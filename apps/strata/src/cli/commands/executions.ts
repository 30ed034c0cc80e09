import { Command } from 'commander';
import { Answer, apiPath } from '../api-client';
import { CommandContext, collect, commandContext, positiveInteger } from '../context';
import { UsageError } from '../errors';
import { executionFrame } from '../frames';
import { CliIo } from '../io';
import { Item } from '../kinds';
import { EXECUTION_COLUMNS, FINAL_EXECUTION_STATUSES } from '../kinds/execution-kinds';
import { columnsOf, renderData, renderItems, renderTable } from '../output';
import { watchOutcome, watchUntilDone } from '../watch';
import { canaryFlags } from './rollout';

interface PlacementOptions {
  stack: string;
  environment: string;
}

interface RunOptions extends PlacementOptions {
  dryRun?: boolean;
  watch?: boolean;
  interval: number;
}

interface DeployOptions extends RunOptions {
  step: string[];
  trigger: string[];
}

/** A deploy's body: with --step, its traffic moves through a canary rollout of those steps (and --trigger's rollback triggers). */
export function deployBody(versionGroup: string, options: DeployOptions): Item {
  if (options.trigger.length > 0 && options.step.length === 0) {
    throw new UsageError('deploy --trigger watches a canary: give its --step too (e.g. --step 20 --step analysis:30s --step 100)');
  }
  return { versionGroup, ...(options.step.length > 0 ? { canary: canaryFlags(options.step, options.trigger) } : {}), ...(options.dryRun ? { dryRun: true } : {}) };
}

function printExecution(context: CommandContext, execution: Item): void {
  context.print(context.format === 'table' ? executionFrame(execution) : renderItems([execution], context.format, EXECUTION_COLUMNS, true));
}

/** Redraws an execution until it ends: succeeded is exit 0, failed or abandoned exit 1. */
export async function watchExecution(context: CommandContext, id: string, intervalMs: number, reachable = false): Promise<void> {
  const last = await watchUntilDone({
    io: context.io,
    intervalMs,
    poll: () => context.client.get<Item>(apiPath`/v1/executions/${id}`),
    render: (execution) => (context.format === 'table' ? executionFrame(execution) : renderItems([execution], context.format, EXECUTION_COLUMNS, true)),
    done: (execution) => (FINAL_EXECUTION_STATUSES as readonly unknown[]).includes(execution['status']),
    again: `strata execution watch ${id}`,
    reachable,
  });
  const failed = ((last['steps'] as Item[] | undefined) ?? []).find((step) => step['status'] === 'failed');
  watchOutcome(last['status'] === 'succeeded', `${String(last['kind'])} ${id} ${String(last['status'])}${failed ? `: ${String(failed['component'])} ${String(failed['action'])}: ${String(failed['error'])}` : ''}`, context.note);
}

/** A deploy or rollback answer: the plan of a dry run (200), or the execution it started (202). */
async function started(context: CommandContext, answer: Answer<Item>, options: RunOptions): Promise<void> {
  const plan = answer.body['plan'] as Item | undefined;
  if (plan) {
    const steps = (plan['steps'] as Item[] | undefined) ?? [];
    context.print(context.format === 'table' ? (steps.length > 0 ? renderTable(steps, columnsOf(steps)) : 'nothing to do\n') : renderData(answer.body, context.format));
    return;
  }
  if (options.watch) return watchExecution(context, String(answer.body['id']), options.interval, true);
  printExecution(context, answer.body);
}

const withRunOptions = (command: Command) =>
  command
    .requiredOption('--stack <stack>', 'the stack')
    .requiredOption('-e, --environment <environment>', 'the environment')
    .option('--dry-run', 'show the plan (each component, its layer and action) without running it')
    .option('--watch', 'then watch the execution until it ends')
    .option('--interval <ms>', 'how often watch polls', positiveInteger('--interval'), 1000);

export function registerExecutions(program: Command, io: CliIo): void {
  withRunOptions(program.command('deploy').description('deploy a version group across every layer, in dependency order; with --step, its traffic through a canary').argument('<versionGroup>', 'the version group to deploy'))
    .option('--step <step>', 'a canary step: 20 (weight), pause[:5m], analysis:30s[:minSamples] (repeatable, in order)', collect, [])
    .option('--trigger <condition>', "a rollback trigger of the canary, e.g. 'judge == Fail' (repeatable)", collect, [])
    .action(async (versionGroup: string, options: DeployOptions, command: Command) => {
      const context = await commandContext(command, io);
      const { stack, environment } = options;
      await started(context, await context.client.request<Item>('POST', apiPath`/v1/stacks/${stack}/environments/${environment}/deploy`, { json: deployBody(versionGroup, options) }), options);
    });

  withRunOptions(program.command('rollback').description("roll an environment back, each component's rollback actions in reverse dependency order"))
    .option('--to <versionGroup>', 'the version group to return to (default: the one deployed before)')
    .option('--reason <text>', 'why (kept with the execution and in the audit)')
    .action(async (options: RunOptions & { to?: string; reason?: string }, command: Command) => {
      const context = await commandContext(command, io);
      const { stack, environment } = options;
      const body = { ...(options.to ? { to: options.to } : {}), ...(options.dryRun ? { dryRun: true } : {}), ...(options.reason ? { reason: options.reason } : {}) };
      await started(context, await context.client.request<Item>('POST', apiPath`/v1/stacks/${stack}/environments/${environment}/rollback`, { json: body }), options);
    });

  const execution = program.command('execution').description('one deploy or rollback execution: get, watch, stop, retry, abandon');
  execution
    .command('get')
    .argument('<id>', 'the execution id')
    .description('show an execution and its steps')
    .action(async (id: string, _options: unknown, command: Command) => {
      const context = await commandContext(command, io);
      printExecution(context, await context.client.get<Item>(apiPath`/v1/executions/${id}`));
    });
  execution
    .command('watch')
    .argument('<id>', 'the execution id')
    .description('redraw an execution live until it ends (exit 0 succeeded, 1 failed or abandoned)')
    .option('--interval <ms>', 'how often to poll', positiveInteger('--interval'), 1000)
    .action(async (id: string, options: { interval: number }, command: Command) => watchExecution(await commandContext(command, io), id, options.interval));
  execution
    .command('stop')
    .argument('<id>', 'the execution id')
    .description('stop a running execution: its current step fails (a canary rollout it follows is aborted); retry or abandon it next')
    .option('--reason <text>', 'why, recorded in the step\'s error')
    .action(async (id: string, options: { reason?: string }, command: Command) => {
      const context = await commandContext(command, io);
      const body = options.reason === undefined ? {} : { reason: options.reason };
      printExecution(context, (await context.client.request<Item>('POST', apiPath`/v1/executions/${id}/stop`, { json: body })).body);
    });
  for (const [action, description] of [
    ['retry', 'run a failed execution again from its failed step'],
    ['abandon', 'give up a failed execution, leaving its steps as they are'],
  ] as const) {
    execution
      .command(action)
      .argument('<id>', 'the execution id')
      .description(description)
      .action(async (id: string, _options: unknown, command: Command) => {
        const context = await commandContext(command, io);
        printExecution(context, (await context.client.request<Item>('POST', apiPath`/v1/executions/${id}/${action}`)).body);
      });
  }

  program
    .command('executions')
    .description('list deploy and rollback executions, newest first')
    .option('--stack <stack>', 'only this stack')
    .option('-e, --environment <environment>', 'only this environment')
    .option('--status <status>', 'only this status: pending, running, succeeded, failed, abandoned')
    .option('--limit <n>', 'items per request', positiveInteger('--limit'))
    .option('--all', 'follow every page')
    .action(async (options: Partial<PlacementOptions> & { status?: string; limit?: number; all?: boolean }, command: Command) => {
      const context = await commandContext(command, io);
      const items = await context.client.list<Item>('/v1/executions', { stack: options.stack, environment: options.environment, status: options.status, limit: options.limit }, options.all === true);
      if (context.format === 'table' && items.length === 0) return context.note('No executions found.');
      context.print(renderItems(items, context.format, EXECUTION_COLUMNS, false));
    });
}
