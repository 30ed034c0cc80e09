import { parseDuration } from '@strata/domain';
import { Command } from 'commander';
import { parse } from 'yaml';
import { apiPath } from '../api-client';
import { CommandContext, collect, commandContext, positiveInteger } from '../context';
import { UsageError } from '../errors';
import { latestVerdicts, rolloutFrame } from '../frames';
import { CliIo } from '../io';
import { Item } from '../kinds';
import { ROLLOUT_COLUMNS } from '../kinds/routing-kinds';
import { renderItems } from '../output';
import { watchOutcome, watchUntilDone } from '../watch';
import { readManifest } from './apply';

/** Where a rollout stops changing: the state machine's final phases. */
const FINAL_ROLLOUT_PHASES = ['promoted', 'rolled-back'];

interface CreateOptions {
  stack?: string;
  filename: string[];
  name?: string;
  environment?: string;
  versionGroup?: string;
  step: string[];
  trigger: string[];
}

/*
 * --step checks the form of each part, so a typo is a usage error naming the step rather than the
 * API's 422 on a value it cannot read; the limits (a weight up to 100, a positive window, at most
 * 10 000 000 samples) are the API's schema's to enforce, and its 422 names the field.
 */
const WEIGHT = /^\d+(\.\d+)?$/;
const WHOLE_NUMBER = /^\d+$/;

const stepError = (step: string, problem: string) => new UsageError(`--step '${step}': ${problem}`);

function durationPart(step: string, name: string, text: string): string {
  if (parseDuration(text) === undefined) throw stepError(step, `${name} ${text === '' ? 'is empty' : `'${text}' is not a duration`} (e.g. 30s, 5m, 1m30s)`);
  return text;
}

/** `20` (setWeight), `pause`, `pause:5m`, `analysis:30s`, `analysis:30s:200` (minSamples). */
export function parseStep(text: string): Item {
  if (WEIGHT.test(text)) return { setWeight: Number(text) };
  const [kind, ...parts] = text.split(':');
  if (kind === 'pause') {
    if (parts.length > 1) throw stepError(text, 'expected pause or pause:duration (e.g. pause:5m)');
    return { pause: parts.length === 0 ? {} : { duration: durationPart(text, 'the pause duration', parts[0]) } };
  }
  if (kind === 'analysis') {
    const [window, minSamples] = parts;
    if (window === undefined || parts.length > 2) throw stepError(text, 'expected analysis:window or analysis:window:minSamples (e.g. analysis:30s:100)');
    if (minSamples !== undefined && !WHOLE_NUMBER.test(minSamples)) throw stepError(text, `minSamples ${minSamples === '' ? 'is empty' : `'${minSamples}' is not a whole number`} (e.g. analysis:30s:100)`);
    return { analysis: { window: durationPart(text, 'the analysis window', window), ...(minSamples === undefined ? {} : { minSamples: Number(minSamples) }) } };
  }
  throw stepError(text, 'expected a weight (20), pause[:duration] or analysis:window[:minSamples]');
}

/** A canary's steps and rollback triggers from the repeatable --step and --trigger flags. */
export function canaryFlags(steps: readonly string[], triggers: readonly string[]): Item {
  return { steps: steps.map(parseStep), ...(triggers.length > 0 ? { rollbackTriggers: triggers.map((when) => ({ when })) } : {}) };
}

/** The create body from a file (a Rollout manifest, or `{name, spec}`), or from the flags. */
async function createBody(options: CreateOptions, io: CliIo): Promise<{ stack: string; body: Item }> {
  if (options.filename.length > 0) {
    const document = parse(await readManifest(options.filename, io)) as Item | null;
    if (!document || typeof document !== 'object') throw new UsageError('-f: expected one Rollout document');
    const metadata = (document['metadata'] ?? {}) as Item;
    const stack = options.stack ?? (metadata['stack'] as string | undefined);
    if (!stack) throw new UsageError('rollout create needs --stack (or metadata.stack in the file)');
    const name = options.name ?? metadata['name'] ?? document['name'];
    return { stack, body: { name, spec: document['spec'] } };
  }
  const missing = (['stack', 'name', 'environment', 'versionGroup'] as const).filter((option) => !options[option]);
  if (missing.length > 0 || options.step.length === 0) {
    const flags = [...missing.map((option) => `--${option.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`), ...(options.step.length === 0 ? ['--step'] : [])];
    throw new UsageError(`rollout create needs -f, or ${flags.join(', ')}`);
  }
  return {
    stack: options.stack as string,
    body: {
      name: options.name,
      spec: {
        environment: options.environment,
        versionGroup: options.versionGroup,
        ...canaryFlags(options.step, options.trigger),
      },
    },
  };
}

function printRollout(context: CommandContext, rollout: Item): void {
  context.print(renderItems([rollout], context.format, ROLLOUT_COLUMNS, true));
}

/** Redraws the rollout until its phase is final; promoted is success, rolled back a failure. */
export async function watchRollout(context: CommandContext, id: string, intervalMs: number, reachable = false): Promise<void> {
  const last = await watchUntilDone({
    io: context.io,
    intervalMs,
    poll: async () => ({
      rollout: await context.client.get<Item>(apiPath`/v1/rollouts/${id}`),
      transitions: await context.client.get<Item[]>(apiPath`/v1/rollouts/${id}/transitions`),
    }),
    render: ({ rollout, transitions }) => (context.format === 'table' ? rolloutFrame(rollout, transitions) : renderItems([rollout], context.format, ROLLOUT_COLUMNS, true)),
    done: ({ rollout }) => FINAL_ROLLOUT_PHASES.includes(String(rollout['phase'])),
    again: `strata rollout watch ${id}`,
    reachable,
  });
  // A rolled-back rollout's own reason only says the stable config serves again; why it was aborted is on that transition.
  const aborted = [...last.transitions].reverse().find((transition) => transition['to'] === 'aborted');
  const reasons = [aborted ? `aborted by ${String(aborted['actor'])}: ${String(aborted['reason'])}` : undefined, last.rollout['reason'] as string | undefined].filter(Boolean);
  watchOutcome(last.rollout['phase'] === 'promoted', `rollout ${id} ${String(last.rollout['phase'])}${reasons.length > 0 ? `: ${reasons.join('; ')}` : ''}`, context.note);
}

export function registerRollout(program: Command, io: CliIo): void {
  const rollout = program.command('rollout').description('canary rollouts: create, get, watch, promote, pause, resume, abort, undo');
  const act = (name: string, description: string, body: (options: Item) => Item | undefined, configure: (command: Command) => Command = (command) => command) =>
    configure(rollout.command(name).description(description).argument('<id>', 'the rollout id')).action(async (id: string, options: Item, command: Command) => {
      const context = await commandContext(command, io);
      printRollout(context, (await context.client.request<Item>('POST', apiPath`/v1/rollouts/${id}/${name}`, { json: body(options) })).body);
    });

  rollout
    .command('create')
    .description('start a canary of a version group: from a file (-f) or from flags')
    .option('--stack <stack>', 'the stack')
    .option('-f, --filename <path>', 'a Rollout manifest or {name, spec} (repeatable, - for stdin)', collect, [])
    .option('--name <name>', 'the rollout name')
    .option('-e, --environment <environment>', 'the environment')
    .option('--version-group <group>', 'the canary version group')
    .option('--step <step>', 'a step: 20 (weight), pause[:5m], analysis:30s[:minSamples] (repeatable, in order)', collect, [])
    .option('--trigger <condition>', "a rollback trigger, e.g. 'judge == Fail' (repeatable)", collect, [])
    .option('--watch', 'then watch it until it is promoted or rolled back')
    .option('--interval <ms>', 'how often watch polls', positiveInteger('--interval'), 1000)
    .action(async (options: CreateOptions & { watch?: boolean; interval: number }, command: Command) => {
      const context = await commandContext(command, io);
      const { stack, body } = await createBody(options, io);
      const created = (await context.client.request<Item>('POST', apiPath`/v1/stacks/${stack}/rollouts`, { json: body })).body;
      if (options.watch) return watchRollout(context, String(created['id']), options.interval, true);
      printRollout(context, created);
    });

  rollout
    .command('get')
    .description("show a rollout, and in a table its latest analysis's verdicts with their p-values")
    .argument('<id>', 'the rollout id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const context = await commandContext(command, io);
      const rollout = await context.client.get<Item>(apiPath`/v1/rollouts/${id}`);
      printRollout(context, rollout);
      if (context.format === 'table') {
        const transitions = await context.client.get<Item[]>(apiPath`/v1/rollouts/${id}/transitions`);
        context.print(latestVerdicts(transitions, ((rollout['steps'] as unknown[] | undefined) ?? []).length));
      }
    });

  rollout
    .command('watch')
    .description('redraw a rollout live (weight, step, verdicts) until it is promoted (exit 0) or rolled back (exit 1)')
    .argument('<id>', 'the rollout id')
    .option('--interval <ms>', 'how often to poll', positiveInteger('--interval'), 1000)
    .action(async (id: string, options: { interval: number }, command: Command) => watchRollout(await commandContext(command, io), id, options.interval));

  act('promote', 'promote past the current step, or with --full past every step', (options) => ({ full: options['full'] === true }), (command) => command.option('--full', 'skip every remaining step'));
  act('pause', 'hold the rollout at its current step', () => undefined);
  act('resume', 'continue a paused rollout', () => undefined);
  act('abort', 'abort: all traffic back to the stable config', (options) => (options['reason'] ? { reason: options['reason'] } : {}), (command) => command.option('--reason <text>', 'why (kept in the transitions)'));
  act('undo', 'undo a promotion: all traffic back to the previous stable config', (options) => (options['reason'] ? { reason: options['reason'] } : {}), (command) => command.option('--reason <text>', 'why'));
}
