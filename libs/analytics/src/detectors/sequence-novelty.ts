export interface SequenceNoveltyParameters {
  /** Equal-width levels the value range is cut into. */
  readonly bins: number;
  /** Length of the context: the last `order` levels, the current one included. */
  readonly order: number;
}

/** Plain, JSON-safe state of a {@link SequenceNovelty}. */
export interface SequenceNoveltyState {
  readonly parameters: SequenceNoveltyParameters;
  /** The last levels, oldest first. */
  readonly recent: readonly number[];
  /** How often each context (levels joined by ',') has been seen. */
  readonly counts: Readonly<Record<string, number>>;
}

/**
 * Sequence novelty in the spirit of NAB's contextual detectors (CAD OSE, HTM): the value is quantised
 * into one of `bins` levels of the range seen so far, and the last `order` levels form a context. The
 * surprise is graded by back-off, as CAD OSE scores the share of its contexts that are new: it is the
 * share of the context's suffixes (the last 1, 2, …, `order` levels) never seen before. A new level is
 * new at every order (1); a familiar transition met in a new, longer context only at the longest (1/order).
 * It sees a changed *shape* — a missing daily jump, a stuck value, a new rhythm — that leaves every
 * residual small, and it stops counting a recurring pattern (a daily burst, frequent spikes) as
 * surprising once it has been seen. O(order²) per sample; memory is bounded by bins^order contexts.
 */
export class SequenceNovelty {
  private readonly recent: number[];
  private readonly counts: Map<string, number>;
  /** Suffixes seen so far, by length − 1 (1 … order − 1): derived from `counts`, so the state stays the same. */
  private readonly seenSuffixes: Set<string>[];

  constructor(private readonly parameters: SequenceNoveltyParameters, state?: Omit<SequenceNoveltyState, 'parameters'>) {
    if (!Number.isInteger(parameters.bins) || parameters.bins < 2) throw new Error('bins must be an integer ≥ 2');
    if (!Number.isInteger(parameters.order) || parameters.order < 1) throw new Error('order must be a positive integer');
    this.recent = [...(state?.recent ?? [])];
    this.counts = new Map(Object.entries(state?.counts ?? {}));
    this.seenSuffixes = Array.from({ length: parameters.order - 1 }, () => new Set<string>());
    for (const context of this.counts.keys()) this.rememberSuffixes(context.split(','));
  }

  /** Surprise of `value` given the range [min, max] it is quantised in: the share of its context's suffixes that are new. */
  update(value: number, min: number, max: number): number {
    if (!Number.isFinite(value) || !(max > min)) return 0;
    const { bins, order } = this.parameters;
    const level = Math.max(0, Math.min(bins - 1, Math.floor((bins * (value - min)) / (max - min))));
    this.recent.push(level);
    if (this.recent.length > order) this.recent.shift();
    let novel = 0;
    for (let length = 1; length < this.recent.length; length++) {
      if (!this.seenSuffixes[length - 1].has(this.recent.slice(-length).join(','))) novel++;
    }
    const context = this.recent.join(',');
    const count = this.counts.get(context) ?? 0;
    this.counts.set(context, count + 1);
    if (count === 0) novel++;
    this.rememberSuffixes(this.recent);
    return novel / order;
  }

  /** Records every suffix shorter than `order` (a full-length context is counted in `counts`). */
  private rememberSuffixes(levels: readonly (number | string)[]): void {
    for (let length = 1; length <= levels.length && length < this.parameters.order; length++) {
      this.seenSuffixes[length - 1].add(levels.slice(-length).join(','));
    }
  }

  toJSON(): SequenceNoveltyState {
    return { parameters: this.parameters, recent: [...this.recent], counts: Object.fromEntries(this.counts) };
  }

  static fromJSON(state: SequenceNoveltyState): SequenceNovelty {
    return new SequenceNovelty(state.parameters, state);
  }
}
