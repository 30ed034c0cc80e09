import { MANIFEST_KINDS } from '@strata/domain';
import { Command } from 'commander';
import { readFile, readdir, stat } from 'node:fs/promises';
import { extname, join, relative, resolve } from 'node:path';
import { YAMLError, parseAllDocuments } from 'yaml';
import { ApiError } from '../api-client';
import { CommandContext, collect, commandContext } from '../context';
import { UsageError } from '../errors';
import { CliIo, readAll } from '../io';
import { Item, at, column } from '../kinds';
import { renderData, renderTable } from '../output';

const MANIFEST_EXTENSIONS = new Set(['.yaml', '.yml', '.json']);

/** The files a `-f` names: the file itself, or a directory's manifests (not recursive, by name). */
async function filesOf(path: string, cwd: string): Promise<string[]> {
  const absolute = resolve(cwd, path);
  let stats;
  try {
    stats = await stat(absolute);
  } catch {
    throw new UsageError(`-f ${path}: no such file or directory`);
  }
  if (!stats.isDirectory()) return [absolute];
  const entries = (await readdir(absolute)).filter((entry) => MANIFEST_EXTENSIONS.has(extname(entry))).sort();
  if (entries.length === 0) throw new UsageError(`-f ${path}: no .yaml, .yml or .json file in the directory`);
  return entries.map((entry) => join(absolute, entry));
}

/** The yaml parser recurses per nesting level and reports running out of stack as its own error. */
const TOO_DEEP = /Maximum call stack/;
const tooDeep = (source: string): UsageError => new UsageError(`${source}: nests too deeply to read (the API accepts 32 levels)`);

/**
 * One line, `source:line:column: what`: the yaml library's message ends its first line with the
 * position the prefix gives (" at line 2, column 1:") and then quotes the source around it.
 */
function yamlError(source: string, error: YAMLError): UsageError {
  const position = error.linePos ? `:${error.linePos[0].line}:${error.linePos[0].col}` : '';
  const [what] = error.message.split('\n');
  return new UsageError(`${source}${position}: ${what.replace(/ at line \d+, column \d+:?$/, '')}`);
}

/** Every non-empty document of a source, checked as YAML here so an error names the file and line. */
function documentsOf(source: string, text: string): string[] {
  try {
    return parseAllDocuments(text).flatMap((document) => {
      const [error] = document.errors;
      if (error) {
        if (TOO_DEEP.test(error.message)) throw tooDeep(source);
        throw yamlError(source, error);
      }
      if (document.contents === null) return [];
      // A document that had its own `---` keeps it; the others get one, so the joined stream splits the same way.
      const text = document.toString();
      return [/^---(\s|$)/.test(text) ? text : `---\n${text}`];
    });
  } catch (error) {
    if (error instanceof RangeError) throw tooDeep(source);
    throw error;
  }
}

/** A manifest read from every `-f`, with where each of its documents came from. */
export interface ReadManifest {
  text: string;
  /** Per document of `text`, in order: `file document k` (1-based within its source). */
  origins: string[];
}

/** Every `-f` (files, directories, `-` for stdin) as one multi-document manifest, in the order given. */
export async function readManifestWithOrigins(paths: readonly string[], io: CliIo): Promise<ReadManifest> {
  if (paths.length === 0) throw new UsageError('-f: name a file, a directory or - for stdin');
  const documents: string[] = [];
  const origins: string[] = [];
  const add = (source: string, found: string[]) => {
    documents.push(...found);
    origins.push(...found.map((_, index) => `${source} document ${index + 1}`));
  };
  for (const path of paths) {
    if (path === '-') {
      add('stdin', documentsOf('stdin', await readAll(io.stdin)));
      continue;
    }
    for (const file of await filesOf(path, io.cwd)) {
      add(relative(io.cwd, file) || file, documentsOf(file, await readFile(file, 'utf8')));
    }
  }
  if (documents.length === 0) throw new UsageError(`-f ${paths.join(' ')}: no document to apply`);
  return { text: documents.join(''), origins };
}

export async function readManifest(paths: readonly string[], io: CliIo): Promise<string> {
  return (await readManifestWithOrigins(paths, io)).text;
}

/**
 * The API counts `documents[N]` across the whole joined stream; a user applying several files
 * looks for a file and a place in it, so each index in the problem's own words (its detail and each
 * field and message) is said as `<file> document k` (a field in it as `<file> document k, spec.type`).
 * Values echoed from the manifest are left as they are.
 */
export function pointIntoFiles(body: unknown, origins: readonly string[]): unknown {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return body;
  const place = (text: unknown) =>
    typeof text === 'string' ? text.replace(/documents\[(\d+)\](\.?)/g, (whole, index: string, dot: string) => (origins[Number(index)] ? `${origins[Number(index)]}${dot ? ', ' : ''}` : whole)) : text;
  const problem = body as Record<string, unknown>;
  const errors = Array.isArray(problem['errors'])
    ? problem['errors'].map((error: unknown) => (typeof error === 'object' && error !== null ? { ...error, field: place((error as Record<string, unknown>)['field']), message: place((error as Record<string, unknown>)['message']) } : error))
    : problem['errors'];
  return { ...problem, detail: place(problem['detail']), ...(errors === undefined ? {} : { errors }) };
}

const rolloutCell = (change: Item) => {
  const rollout = change['rollout'] as Item | undefined;
  if (!rollout) return undefined;
  return [rollout['status'], rollout['rolloutId'], rollout['phase']].filter((part) => part !== undefined && part !== null).join(' ');
};

const CHANGE_COLUMNS = [column('KIND', 'kind'), column('NAME', 'name'), column('ACTION', 'action'), column('DETAIL', 'detail'), { header: 'ROLLOUT', value: rolloutCell }];

const DIFF_MARKS: Record<string, string> = { create: '+', update: '~', unchanged: '=' };

function renderChanges(context: CommandContext, body: Item, asDiff: boolean): void {
  const changes = (body['changes'] as Item[] | undefined) ?? [];
  if (context.format !== 'table') {
    context.print(renderData(body, context.format));
  } else if (asDiff) {
    context.print(changes.map((change) => `${DIFF_MARKS[String(change['action'])] ?? '?'} ${String(change['kind'])} ${String(change['name'])}${change['detail'] ? `: ${String(change['detail'])}` : ''}\n`).join(''));
  } else {
    context.print(renderTable(changes, CHANGE_COLUMNS));
  }
}

async function apply(context: CommandContext, paths: readonly string[], dryRun: boolean, waitSeconds: number | undefined, asDiff: boolean): Promise<void> {
  const manifest = await readManifestWithOrigins(paths, context.io);
  try {
    const answer = await context.client.request<Item>('POST', '/v1/apply', { query: { dryRun, waitSeconds }, text: { body: manifest.text, contentType: 'application/yaml' } });
    renderChanges(context, answer.body, asDiff);
    if (answer.status === 202) context.note('a Rollout is still pending: routing-control has not answered yet (strata get rollouts shows it once it has)');
  } catch (error) {
    // A refused Rollout leaves the manifest's other documents applied: show what was.
    if (!(error instanceof ApiError)) throw error;
    if (Array.isArray(at(error.body, 'changes'))) renderChanges(context, error.body as Item, asDiff);
    throw new ApiError(error.status, pointIntoFiles(error.body, manifest.origins));
  }
}

function waitSecondsOption(value: string): number {
  const seconds = Number(value);
  if (!Number.isInteger(seconds) || seconds < 0 || seconds > 30) throw new UsageError('--wait: whole seconds from 0 to 30');
  return seconds;
}

export function registerApply(program: Command, io: CliIo): void {
  program
    .command('apply')
    .description(`apply manifests (${MANIFEST_KINDS.join(', ')}): every document or none, but for a Rollout routing-control refuses (the others stay applied)`)
    .option('-f, --filename <path>', 'a file, a directory of .yaml/.yml/.json, or - for stdin (repeatable)', collect, [])
    .option('--dry-run', 'validate and show the changes without writing anything')
    .option('--wait <seconds>', "how long to wait for routing-control's answer to each Rollout (0-30, API default 10)", waitSecondsOption)
    .action(async (options: { filename: string[]; dryRun?: boolean; wait?: number }, command: Command) => {
      await apply(await commandContext(command, io), options.filename, options.dryRun === true, options.wait, false);
    });

  program
    .command('diff')
    .description('show what apply would change (+ create, ~ update, = unchanged); writes nothing')
    .option('-f, --filename <path>', 'a file, a directory or - for stdin (repeatable)', collect, [])
    .action(async (options: { filename: string[] }, command: Command) => {
      await apply(await commandContext(command, io), options.filename, true, undefined, true);
    });
}
