/** One finding of a judged analysis: what it is about, what it says, whether it is a regression, the p-values it quotes. */
export interface Finding {
  label: string;
  text: string;
  regression: boolean;
  pValues: string[];
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
 * highlights: the outcome, each finding, and any p-value a judge quotes.
 */
export function readVerdict(reason: string | null | undefined): Verdict {
  const match = reason ? /^(analysis of step \d+ (?:passed|failed|marginal, held for an operator)|rollback trigger [^:]*): (.*)$/s.exec(reason) : null;
  if (!match) {
    return { outcome: null, findings: [] };
  }
  const [, head = '', body = ''] = match;
  return { outcome: outcomeOf(head), findings: body.split(FINDING_START).map(findingOf) };
}
