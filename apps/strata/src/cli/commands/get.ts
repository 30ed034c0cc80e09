import { Command } from 'commander';
import { ApiClient, Query } from '../api-client';
import { CommandContext, collect, commandContext, positiveInteger } from '../context';
import { CliError, ExitCode, UsageError } from '../errors';
import { CliIo } from '../io';
import { Item, KINDS, Kind, Scope, findKind, requireScope } from '../kinds';
import { columnsOf, renderData, renderItems, renderTable } from '../output';

interface ScopeOptions {
  stack?: string;
  environment?: string;
  component?: string;
  filter: string[];
}

interface GetOptions extends ScopeOptions {
  limit?: number;
  all?: boolean;
}

function scopeOf(options: ScopeOptions): Scope {
  const filters: Query = {};
  for (const pair of options.filter) {
    const equals = pair.indexOf('=');
    if (equals < 1) throw new UsageError(`--filter: '${pair}' is not key=value`);
    filters[pair.slice(0, equals)] = pair.slice(equals + 1);
  }
  return { stack: options.stack, environment: options.environment, component: options.component, filters };
}

function withScopeOptions(command: Command): Command {
  return command
    .option('--stack <stack>', 'the stack (groups, version map, policies, traffic rules; filters other lists)')
    .option('-e, --environment <environment>', 'the environment (version map, policies, traffic rules; filters other lists)')
    .option('--component <component>', 'the component (versions; filters other lists)')
    .option('--filter <key=value>', 'a query parameter of the list, e.g. severity=high, status=running (repeatable)', collect, []);
}

/** One object of a kind: by name, or the scope's current one (version map, routing policy). */
async function fetchOne(client: ApiClient, kind: Kind, scope: Scope, name: string | undefined): Promise<Item> {
  if (name === undefined) {
    if (!kind.current) throw new UsageError(`${kind.name}: give a name`);
    return client.get<Item>(kind.current(scope));
  }
  if (kind.one) return client.get<Item>(kind.one(scope, name));
  if (kind.find && kind.list) {
    const { path, query } = kind.list(scope);
    const found = kind.find(await client.list<Item>(path, { ...query, ...scope.filters }, true), name);
    if (!found) throw new CliError(`${kind.name} '${name}' not found`, ExitCode.notFound);
    return found;
  }
  throw new UsageError(`${kind.name} has no names; leave '${name}' out`);
}

async function get(context: CommandContext, kind: Kind, scope: Scope, name: string | undefined, options: GetOptions): Promise<void> {
  requireScope(kind, scope);
  let items: Item[];
  let single = true;
  if (name !== undefined || !kind.list) {
    const item = await fetchOne(context.client, kind, scope, name);
    items = context.format === 'table' && kind.rows ? kind.rows(item) : [item];
    single = context.format !== 'table' || !kind.rows;
  } else {
    const { path, query, unpagedLimit } = kind.list(scope);
    const unpaged = unpagedLimit === undefined ? undefined : { maxLimit: unpagedLimit, onCut: (limit: number) => context.note(`the list may be cut at ${limit}: ${kind.name} has no paging, and the API answers at most ${limit} at once`) };
    items = await context.client.list<Item>(path, { ...query, ...scope.filters, limit: options.limit }, options.all === true, unpaged);
    single = false;
  }
  if (context.format === 'table' && items.length === 0) {
    context.note(`No ${kind.name} found.`);
    return;
  }
  context.print(renderItems(items, context.format, kind.columns, single));
}

function renderSection(title: string, value: unknown): string {
  const isRows = Array.isArray(value) && value.every((entry) => typeof entry === 'object' && entry !== null && !Array.isArray(entry));
  const body = isRows && value.length > 0 ? renderTable(value as Item[], columnsOf(value as Item[])) : renderData(value, 'yaml');
  return `\n${title}:\n${body}`;
}

async function describe(context: CommandContext, kind: Kind, scope: Scope, name: string | undefined): Promise<void> {
  requireScope(kind, scope);
  const item = await fetchOne(context.client, kind, scope, name);
  const details = kind.details ? await kind.details(context.client, scope, item) : {};
  if (context.format !== 'table') {
    context.print(renderData({ ...item, ...details }, context.format));
    return;
  }
  context.print(renderData(item, 'yaml') + Object.entries(details).map(([title, value]) => renderSection(title, value)).join(''));
}

const kindList = KINDS.map((kind) => kind.name).join(', ');

export function registerGet(program: Command, io: CliIo): void {
  withScopeOptions(program.command('get').description(`list a kind, or show one object of it (${kindList})`))
    .argument('<kind>', 'the kind, e.g. stacks, rollouts, version-map')
    .argument('[name]', 'one object: a name, an id, or component@version')
    .option('--limit <n>', 'items per request (the API default when absent)', positiveInteger('--limit'))
    .option('--all', 'follow every page of the list')
    .action(async (kindName: string, name: string | undefined, options: GetOptions, command: Command) => {
      const kind = findKind(KINDS, kindName);
      await get(await commandContext(command, io), kind, scopeOf(options), name, options);
    });

  withScopeOptions(program.command('describe').description('show one object in full, with what relates to it (transitions, history, status, steps)'))
    .argument('<kind>', 'the kind')
    .argument('[name]', 'a name or id (none: the current version map or routing policy)')
    .action(async (kindName: string, name: string | undefined, options: ScopeOptions, command: Command) => {
      const kind = findKind(KINDS, kindName);
      await describe(await commandContext(command, io), kind, scopeOf(options), name);
    });
}
