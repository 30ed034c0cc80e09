import type { CostProfiles } from './cost-profile';
import { type NabDataSet, asNullDetector, normalizeNabScore, optimizeNabThreshold, scoreNabDataSet } from './corpus-scorer';
import { NAB_PROBATION_PERCENT } from './probation';

/**
 * One detector variant's output over the whole corpus (the same files, in the same order, as every
 * other candidate's). Cross-validation chooses among candidates on the training folds only.
 */
export interface NabCandidate {
  readonly name: string;
  readonly dataSets: readonly NabDataSet[];
}

/** What one held-out fold got: the candidate and threshold chosen without it, and its own scores. */
export interface NabFoldResult {
  readonly fold: string;
  readonly files: number;
  readonly windows: number;
  /** Per profile: the candidate and threshold chosen on the other folds. */
  readonly chosen: Readonly<Record<string, { readonly candidate: string; readonly threshold: number }>>;
  /** Per profile: the held-out raw score of this fold. */
  readonly rawScore: Readonly<Record<string, number>>;
  /** Per profile: the fold's normalised score, null where it has no window to score against. */
  readonly normalizedScore: Readonly<Record<string, number | null>>;
}

export interface NabCrossValidation {
  /** Per profile: the held-out raw scores of every fold added up, normalised as NAB normalises the whole corpus. */
  readonly normalizedScore: Readonly<Record<string, number>>;
  readonly folds: readonly NabFoldResult[];
}

export interface NabCrossValidationOptions {
  /** The fold of a file; by default its NAB category (the directory of its key). */
  readonly foldOf?: (name: string) => string;
  readonly probationPercent?: number;
}

/** The NAB category of a file key such as `realTweets/Twitter_volume_FB.csv`. */
export function nabCategoryOf(name: string): string {
  const slash = name.lastIndexOf('/');
  return slash < 0 ? '' : name.slice(0, slash);
}

/**
 * Leave-one-fold-out NAB scoring: for each fold (by default a category), the candidate and the
 * threshold are chosen by NAB's own optimiser on the other folds, and the fold's files are scored at
 * that choice. The summed held-out raw scores are normalised with the whole corpus's null and perfect
 * scores, so the figure reads like the in-sample one, but every file was scored by a choice made
 * without it.
 */
export function crossValidateNab(candidates: readonly NabCandidate[], profiles: CostProfiles, options: NabCrossValidationOptions = {}): NabCrossValidation {
  const [reference] = candidates;
  if (reference === undefined) throw new Error('cross-validation needs at least one candidate');
  const files = reference.dataSets.map((dataSet) => dataSet.name);
  for (const candidate of candidates) {
    if (candidate.dataSets.length !== files.length || candidate.dataSets.some((dataSet, index) => dataSet.name !== files[index])) {
      throw new Error(`candidate '${candidate.name}' does not cover the same files in the same order as '${reference.name}'`);
    }
  }
  const probationPercent = options.probationPercent ?? NAB_PROBATION_PERCENT;
  const foldOf = options.foldOf ?? nabCategoryOf;
  const foldNames = [...new Set(files.map(foldOf))].sort();
  if (foldNames.length < 2) throw new Error(`cross-validation needs at least two folds, got ${foldNames.length}`);

  const totals: Record<string, number> = Object.fromEntries(Object.keys(profiles).map((profile) => [profile, 0]));
  const folds = foldNames.map((fold): NabFoldResult => {
    const inFold = files.map((name) => foldOf(name) === fold);
    const heldOut = reference.dataSets.filter((_, index) => inFold[index]);
    const windows = heldOut.reduce((count, dataSet) => count + dataSet.windows.length, 0);
    const chosen: Record<string, { candidate: string; threshold: number }> = {};
    const rawScore: Record<string, number> = {};
    const normalizedScore: Record<string, number | null> = {};
    for (const [profile, costMatrix] of Object.entries(profiles)) {
      let best: { candidate: NabCandidate; threshold: number; score: number } | null = null;
      for (const candidate of candidates) {
        const training = candidate.dataSets.filter((_, index) => !inFold[index]);
        const { threshold, score } = optimizeNabThreshold(training, costMatrix, probationPercent);
        if (best === null || score > best.score) best = { candidate, threshold, score };
      }
      // candidates is non-empty, so a best one exists.
      const { candidate, threshold } = best as { candidate: NabCandidate; threshold: number };
      const held = candidate.dataSets.filter((_, index) => inFold[index]);
      const raw = held.reduce((sum, dataSet) => sum + scoreNabDataSet(dataSet, costMatrix, threshold, probationPercent).score, 0);
      chosen[profile] = { candidate: candidate.name, threshold };
      rawScore[profile] = raw;
      totals[profile] += raw;
      const perfect = windows * costMatrix.tpWeight;
      const nullScore = optimizeNabThreshold(heldOut.map(asNullDetector), costMatrix, probationPercent).score;
      normalizedScore[profile] = perfect === nullScore ? null : normalizeNabScore(raw, nullScore, perfect);
    }
    return { fold, files: heldOut.length, windows, chosen, rawScore, normalizedScore };
  });

  const allWindows = reference.dataSets.reduce((count, dataSet) => count + dataSet.windows.length, 0);
  const normalizedScore = Object.fromEntries(
    Object.entries(profiles).map(([profile, costMatrix]) => {
      const nullScore = optimizeNabThreshold(reference.dataSets.map(asNullDetector), costMatrix, probationPercent).score;
      return [profile, normalizeNabScore(totals[profile], nullScore, allWindows * costMatrix.tpWeight)];
    }),
  );
  return { normalizedScore, folds };
}

