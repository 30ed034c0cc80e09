import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { basename, dirname, join, relative, sep } from 'node:path';
import { scoreSeries } from '@strata/analytics';
import {
  type CostProfiles,
  crossValidateNab,
  NAB_DEFAULT_PROFILES,
  type NabCrossValidation,
  type NabDataSet,
  type NabProfileScore,
  parseNabCsv,
  parseNabProfiles,
  parseNabWindows,
  scoreNabCorpus,
} from './nab';

export const EVAL_NAB_USAGE = `usage: npm run eval:nab -- --data <dir> --labels <combined_windows.json> [--scores <dir>] [--halves] [--cv] [--json]

  --data <dir>      NAB data: <category>/<file>.csv with timestamp,value (searched recursively)
  --labels <file>   NAB combined_windows.json; profiles.json is read from the labels dir's parent if present
  --scores <dir>    score these timestamp,anomaly_score CSVs (same layout, optionally named <detector>_<file>.csv)
                    instead of running Strata's detector
  --halves          also score two halves of the corpus (A/B: files alternating within each category), each
                    with its own threshold, and a second, crossing split (C/D: files going C, D, D, C, …
                    within each category): a change tuned on one half should help the others too
  --cv              also score leave-one-category-out: each category is scored at the threshold NAB's
                    optimiser chose on the other categories (the held-out score; JSON cvStandard, cvLowFP,
                    cvLowFN)
  --json            end with one JSON line of the normalised scores
`;

/** Wrong command line: the caller exits with EX_USAGE (64). */
export class UsageError extends Error {}

export interface EvalNabArgs {
  readonly data: string;
  readonly labels: string;
  readonly scores: string | null;
  readonly halves: boolean;
  readonly cv: boolean;
  readonly json: boolean;
}

const VALUE_FLAGS = ['--data', '--labels', '--scores'] as const;

export function parseEvalNabArgs(argv: readonly string[]): EvalNabArgs {
  const values: Partial<Record<(typeof VALUE_FLAGS)[number], string>> = {};
  let json = false;
  let halves = false;
  let cv = false;
  for (let i = 0; i < argv.length; i++) {
    const argument = argv[i];
    const [flag, inline] = argument.startsWith('--') && argument.includes('=') ? [argument.slice(0, argument.indexOf('=')), argument.slice(argument.indexOf('=') + 1)] : [argument, undefined];
    if (flag === '--json') {
      json = true;
      continue;
    }
    if (flag === '--halves') {
      halves = true;
      continue;
    }
    if (flag === '--cv') {
      cv = true;
      continue;
    }
    const valueFlag = VALUE_FLAGS.find((known) => known === flag);
    if (valueFlag === undefined) throw new UsageError(`unknown argument '${argument}'`);
    const value = inline ?? argv[++i];
    if (value === undefined || value === '' || value.startsWith('--')) throw new UsageError(`${valueFlag} needs a value`);
    values[valueFlag] = value;
  }
  if (values['--data'] === undefined) throw new UsageError('--data <dir> is required');
  if (values['--labels'] === undefined) throw new UsageError('--labels <combined_windows.json> is required');
  requirePath('--data', values['--data'], 'directory');
  requirePath('--labels', values['--labels'], 'file');
  if (values['--scores'] !== undefined) requirePath('--scores', values['--scores'], 'directory');
  return { data: values['--data'], labels: values['--labels'], scores: values['--scores'] ?? null, halves, cv, json };
}

function requirePath(flag: string, path: string, kind: 'file' | 'directory'): void {
  const stats = existsSync(path) ? statSync(path) : null;
  if (stats === null) throw new UsageError(`${flag}: '${path}' does not exist`);
  if (kind === 'directory' ? !stats.isDirectory() : !stats.isFile()) throw new UsageError(`${flag}: '${path}' is not a ${kind}`);
}

/** CSV files under `root`, as `/`-separated paths relative to it (the keys of NAB's label files). */
export function listCsvFiles(root: string): string[] {
  const found: string[] = [];
  const walk = (directory: string): void => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.isFile() && entry.name.endsWith('.csv')) found.push(relative(root, path).split(sep).join('/'));
    }
  };
  walk(root);
  return found.sort();
}

/** profiles.json beside the labels directory (this repo's fixtures) or in NAB's config/, else NAB's defaults. */
export function loadProfiles(labelsPath: string): { profiles: CostProfiles; source: string } {
  const labelsParent = join(dirname(labelsPath), '..');
  for (const candidate of [join(labelsParent, 'profiles.json'), join(labelsParent, 'config', 'profiles.json')]) {
    if (existsSync(candidate)) return { profiles: parseNabProfiles(JSON.parse(readFileSync(candidate, 'utf8'))), source: candidate };
  }
  return { profiles: NAB_DEFAULT_PROFILES, source: "NAB's defaults" };
}

/**
 * The anomaly-score CSV of a data file inside a results directory: same relative path, or NAB's
 * results naming `<category>/<detector>_<file>.csv`.
 */
export function findScoresFile(scoresRoot: string, fileKey: string): string | null {
  const directory = join(scoresRoot, dirname(fileKey));
  const name = basename(fileKey);
  if (existsSync(join(directory, name))) return join(directory, name);
  if (!existsSync(directory)) return null;
  const matches = readdirSync(directory).filter((entry) => entry.endsWith(`_${name}`));
  return matches.length === 1 ? join(directory, matches[0]) : null;
}

interface StoredProfileScores {
  readonly threshold: number;
  readonly rows: ReadonlyMap<string, { score: number; tp: number; tn: number; fp: number; fn: number }>;
}

/** NAB's `<detector>_<profile>_scores.csv` files in a results directory, if it holds any. */
function loadStoredScores(scoresRoot: string, profiles: CostProfiles): Map<string, StoredProfileScores> {
  const stored = new Map<string, StoredProfileScores>();
  for (const entry of readdirSync(scoresRoot)) {
    const profile = Object.keys(profiles).find((name) => entry.endsWith(`_${name}_scores.csv`));
    if (profile === undefined) continue;
    const [header, ...lines] = readFileSync(join(scoresRoot, entry), 'utf8').trim().split(/\r?\n/);
    const columns = (header ?? '').split(',');
    const at = (cells: string[], name: string): string => cells[columns.indexOf(name)] ?? '';
    const rows = new Map<string, { score: number; tp: number; tn: number; fp: number; fn: number }>();
    let threshold = Number.NaN;
    for (const line of lines) {
      const cells = line.split(',');
      const file = at(cells, 'File');
      if (!file.endsWith('.csv')) continue;
      threshold = Number(at(cells, 'Threshold'));
      rows.set(file, { score: Number(at(cells, 'Score')), tp: Number(at(cells, 'TP')), tn: Number(at(cells, 'TN')), fp: Number(at(cells, 'FP')), fn: Number(at(cells, 'FN')) });
    }
    if (Number.isFinite(threshold)) stored.set(profile, { threshold, rows });
  }
  return stored;
}

/**
 * Two halves of a corpus: within each category (the key's directory), files alternate between them in
 * name order, so each half holds every kind of series.
 */
export function splitHalves<T extends { readonly name: string }>(dataSets: readonly T[]): [T[], T[]] {
  return splitByCategoryIndex(dataSets, (index) => index % 2);
}

/**
 * A second split that crosses {@link splitHalves}: within each category, files go C, D, D, C, C, D, D, C, …
 * so each of C and D holds half of A and half of B, and the two are as large as the halves. A change
 * that helps A and B by luck of which files fell where is less likely to help C and D as well.
 */
export function splitCrossHalves<T extends { readonly name: string }>(dataSets: readonly T[]): [T[], T[]] {
  return splitByCategoryIndex(dataSets, (index) => (index + Math.floor(index / 2)) % 2);
}

function splitByCategoryIndex<T extends { readonly name: string }>(dataSets: readonly T[], halfOf: (indexInCategory: number) => number): [T[], T[]] {
  const seen = new Map<string, number>();
  const halves: [T[], T[]] = [[], []];
  for (const dataSet of [...dataSets].sort((a, b) => a.name.localeCompare(b.name))) {
    const category = dirname(dataSet.name);
    const index = seen.get(category) ?? 0;
    seen.set(category, index + 1);
    halves[halfOf(index)].push(dataSet);
  }
  return halves;
}

export interface EvalNabReport {
  readonly files: number;
  readonly scores: Record<string, NabProfileScore>;
  /** Normalised scores per profile of each half, with --halves. */
  readonly halves: readonly [Record<string, number>, Record<string, number>] | null;
  /** The same for the crossing split C/D, with --halves. */
  readonly crossHalves: readonly [Record<string, number>, Record<string, number>] | null;
  /** Leave-one-category-out scores, with --cv. */
  readonly crossValidation: NabCrossValidation | null;
}

/** Loads the corpus, scores it (Strata's detector or the given score files) and writes the report. */
export function runEvalNab(args: EvalNabArgs, write: (text: string) => void): EvalNabReport {
  const windows = parseNabWindows(JSON.parse(readFileSync(args.labels, 'utf8')));
  const { profiles, source: profileSource } = loadProfiles(args.labels);
  const fileKeys = listCsvFiles(args.data);
  if (fileKeys.length === 0) throw new UsageError(`--data: no CSV files under '${args.data}'`);

  const started = Date.now();
  const dataSets: NabDataSet[] = fileKeys.map((fileKey) => {
    const fileWindows = windows[fileKey];
    if (fileWindows === undefined) throw new Error(`no labels for '${fileKey}' in ${args.labels}`);
    const data = parseNabCsv(readFileSync(join(args.data, fileKey), 'utf8'));
    return { name: fileKey, timestamps: data.timestamps, anomalyScores: anomalyScoresOf(args, fileKey, data.timestamps.length, data.columns['value']), windows: fileWindows };
  });
  const detected = Date.now();
  const scores = scoreNabCorpus(dataSets, profiles);
  const scored = Date.now();

  write(`NAB v1.1 scores of ${args.scores === null ? "Strata's streaming detector" : `the anomaly scores in ${args.scores}`} over ${dataSets.length} files (profiles: ${profileSource})\n`);
  for (const result of Object.values(scores)) {
    write(
      `  ${result.profile.padEnd(20)} ${result.normalizedScore.toFixed(2).padStart(7)}   threshold ${result.threshold.toFixed(6)}, raw ${result.rawScore.toFixed(3)}, null ${result.nullScore.toFixed(3)}, perfect ${result.perfectScore.toFixed(3)}\n`,
    );
  }
  const halves = args.halves ? scoreHalves(splitHalves(dataSets), 'AB', profiles, write) : null;
  const crossHalves = args.halves ? scoreHalves(splitCrossHalves(dataSets), 'CD', profiles, write) : null;
  const crossValidation = args.cv ? crossValidateNab([{ name: 'detector', dataSets }], profiles) : null;
  if (crossValidation !== null) writeCrossValidation(crossValidation, normalizedScores(scores), write);
  write(`  time: ${args.scores === null ? 'detector' : 'loading'} ${detected - started} ms, scoring ${scored - detected} ms\n`);
  if (args.scores !== null) writeStoredComparison(args.scores, dataSets, profiles, write);
  if (args.json) {
    const normalized = normalizedScores(scores);
    const halvesJson = halves === null || crossHalves === null ? {} : { halves: { A: halves[0], B: halves[1], C: crossHalves[0], D: crossHalves[1] } };
    write(`${JSON.stringify({ ...normalized, files: dataSets.length, ...halvesJson, ...(crossValidation === null ? {} : crossValidationJson(crossValidation)) })}\n`);
  }
  return { files: dataSets.length, scores, halves, crossHalves, crossValidation };
}

/** JSON keys of the held-out scores of NAB's three profiles (others keep their profile name). */
const CV_KEYS: Readonly<Record<string, string>> = { standard: 'cvStandard', reward_low_FP_rate: 'cvLowFP', reward_low_FN_rate: 'cvLowFN' };

function crossValidationJson(crossValidation: NabCrossValidation): Record<string, unknown> {
  const scores = Object.entries(crossValidation.normalizedScore).map(([profile, score]) => [CV_KEYS[profile] ?? `cv_${profile}`, round(score)]);
  const folds = Object.fromEntries(crossValidation.folds.map((fold) => [fold.fold, Object.fromEntries(Object.entries(fold.normalizedScore).map(([profile, score]) => [profile, score === null ? null : round(score)]))]));
  return { ...Object.fromEntries(scores), cvFolds: folds };
}

function writeCrossValidation(crossValidation: NabCrossValidation, inSample: Record<string, number>, write: (text: string) => void): void {
  write('Leave one category out (threshold chosen on the other categories), held-out vs in-sample:\n');
  for (const [profile, score] of Object.entries(crossValidation.normalizedScore)) {
    write(`  ${profile.padEnd(20)} ${score.toFixed(2).padStart(7)}   in-sample ${(inSample[profile] ?? Number.NaN).toFixed(2)}\n`);
  }
  for (const fold of crossValidation.folds) {
    const perProfile = Object.entries(fold.normalizedScore).map(([profile, score]) => `${profile} ${score === null ? `raw ${(fold.rawScore[profile] ?? 0).toFixed(3)}` : score.toFixed(2)}`);
    write(`  held out ${fold.fold} (${fold.files} files, ${fold.windows} windows): ${perProfile.join(', ')}\n`);
  }
}

function normalizedScores(scores: Record<string, NabProfileScore>): Record<string, number> {
  return Object.fromEntries(Object.values(scores).map((result) => [result.profile, round(result.normalizedScore)]));
}

function scoreHalves(
  split: readonly [NabDataSet[], NabDataSet[]],
  names: string,
  profiles: CostProfiles,
  write: (text: string) => void,
): [Record<string, number>, Record<string, number>] {
  const [first, second] = split.map((half, index) => {
    const normalized = normalizedScores(scoreNabCorpus(half, profiles));
    write(`  half ${names[index]} (${half.length} files): ${Object.entries(normalized).map(([profile, score]) => `${profile} ${score.toFixed(2)}`).join(', ')}\n`);
    return normalized;
  });
  return [first ?? {}, second ?? {}];
}

function anomalyScoresOf(args: EvalNabArgs, fileKey: string, rows: number, values: readonly number[] | undefined): number[] {
  if (args.scores === null) {
    if (values === undefined) throw new Error(`${fileKey} has no 'value' column`);
    return scoreSeries(values);
  }
  const path = findScoresFile(args.scores, fileKey);
  if (path === null) throw new Error(`no anomaly scores for '${fileKey}' under ${args.scores}`);
  const anomalyScores = parseNabCsv(readFileSync(path, 'utf8')).columns['anomaly_score'];
  if (anomalyScores === undefined) throw new Error(`${path} has no 'anomaly_score' column`);
  if (anomalyScores.length !== rows) throw new Error(`${path} has ${anomalyScores.length} rows, its data file ${rows}`);
  return anomalyScores;
}

/** Where the results directory holds NAB's own per-file scores, rescores at NAB's thresholds and compares. */
function writeStoredComparison(scoresRoot: string, dataSets: readonly NabDataSet[], profiles: CostProfiles, write: (text: string) => void): void {
  const stored = loadStoredScores(scoresRoot, profiles);
  if (stored.size === 0) return;
  const thresholds = Object.fromEntries([...stored].map(([profile, { threshold }]) => [profile, threshold]));
  const atStored = scoreNabCorpus(dataSets, Object.fromEntries(Object.entries(profiles).filter(([name]) => stored.has(name))), { thresholds });
  write(`At the thresholds of the stored NAB score files in ${scoresRoot}:\n`);
  for (const result of Object.values(atStored)) {
    const rows = stored.get(result.profile)?.rows ?? new Map<string, { score: number; tp: number; tn: number; fp: number; fn: number }>();
    const mismatched = result.files.filter((file) => {
      const expected = rows.get(file.file);
      return expected === undefined || Math.abs(expected.score - file.score) > 1e-6 || expected.tp !== file.tp || expected.tn !== file.tn || expected.fp !== file.fp || expected.fn !== file.fn;
    });
    write(
      `  ${result.profile.padEnd(20)} ${result.normalizedScore.toFixed(2).padStart(7)}   threshold ${result.threshold}, per-file rows matching NAB: ${result.files.length - mismatched.length}/${result.files.length}${mismatched.length > 0 ? ` (differ: ${mismatched.map((file) => file.file).join(', ')})` : ''}\n`,
    );
  }
}

function round(value: number): number {
  return Math.round(value * 1e4) / 1e4;
}
