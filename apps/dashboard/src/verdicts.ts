/** One finding of a judged analysis: what it is about, what it says, whether it is a regression, the p-values it quotes. */
export interface Finding {
  label: string;
  text: string;
  regression: boolean;
  pValues: string[];
}

/** A metric the statistical judge tested, as routing-control records it beside the reason (`judgedMetrics`). */
export interface JudgedMetric {
  metric: string;
  regression: boolean;
  /** Always valid: however often the step was read; null: not tested. */
  pValue: number | null;
  /** A fail needs the p-value under it. */
  level: number;
}

/** What a rollout transition's reason says of the judge. */
export interface Verdict {
  outcome: 'passed' | 'failed' | 'held' | 'aborted' | null;
  findings: Finding[];
}

/** The findings routing-control joins with '; ' (a finding may hold '; ' itself, e.g. the judged windows' two sides). */
const FINDING_START = /; (?=judge |judged KPI windows:|statistical judge:|thresholds?:|error-rate:|latency-ms:|rollback trigger )/;
const P_VALUE = /\bp\s*[=<]\s*\d+(?:\.\d+)?(?:e-?\d+)?/gi;

function outcomeOf(head: string): Verdict['outcome'] {
  if (/\bfailed$/.test(head)) return 'failed';
  if (/\bpassed$/.test(head)) return 'passed';
  if (/held for an operator$/.test(head)) return 'held';
  if (/^rollback trigger/.test(head)) return 'aborted';
  return null;
}

const probability = (value: number) => (value < 1e-4 ? value.toExponential(1) : String(Number(value.toPrecision(2))));

/** The recorded figures win over the text: a finding of a judged metric shows its p-value and the level a fail needs. */
function withJudged(finding: Finding, judged: readonly JudgedMetric[]): Finding {
  const metric = judged.find((candidate) => candidate.metric === finding.label);
  if (!metric) return finding;
  const quoted = metric.pValue === null ? [] : [`${metric.pValue < 1e-15 ? 'p < 1e-15' : `p = ${probability(metric.pValue)}`} (fail below ${probability(metric.level)})`];
  return { ...finding, regression: metric.regression, pValues: quoted };
}

function findingOf(part: string): Finding {
  const colon = part.indexOf(': ');
  const label = colon < 0 ? part : part.slice(0, colon);
  const text = colon < 0 ? '' : part.slice(colon + 2);
  return { label, text, regression: !/no regression shown/.test(text) && /\bregression\b|\bfail\b/.test(text), pValues: text.match(P_VALUE) ?? [] };
}

/**
 * Reads a transition reason as routing-control writes it (`analysis of step 1 failed: judge default
 * at 20 %; judged KPI windows: …; statistical judge: fail (…); error-rate: regression: …; latency-ms:
 * …`). The reason stays the source of truth, shown whole; this only picks out what the dashboard
 * highlights: the outcome, each finding, and any p-value a judge quotes, taken from `judged` (the
 * transition's judgedMetrics) where routing-control recorded them.
 */
export function readVerdict(reason: string | null | undefined, judged: readonly JudgedMetric[] | null = null): Verdict {
  const match = reason ? /^(analysis of step \d+ (?:passed|failed|marginal, held for an operator)|rollback trigger [^:]*): (.*)$/s.exec(reason) : null;
  if (!match) {
    return { outcome: null, findings: [] };
  }
  const [, head = '', body = ''] = match;
  return { outcome: outcomeOf(head), findings: body.split(FINDING_START).map((part) => withJudged(findingOf(part), judged ?? [])) };
}
