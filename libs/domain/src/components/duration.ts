/**
 * Durations in manifests are strings such as `250ms`, `5s`, `2m`, `1h` or compounds like `1m30s`,
 * largest unit first, each unit at most once. Anything else is refused rather than guessed.
 */
const UNIT_MILLISECONDS: Readonly<Record<string, number>> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1 };
const UNIT_ORDER = ['h', 'm', 's', 'ms'];
const DURATION = /^(?:\d+(?:h|ms|m|s))+$/;
const PART = /(\d+)(h|ms|m|s)/g;

/** Milliseconds of a duration string, or undefined when the text is not a duration. */
export function parseDuration(text: string): number | undefined {
  if (!DURATION.test(text)) {
    return undefined;
  }
  let total = 0;
  let previousUnitIndex = -1;
  for (const [, amount, unit] of text.matchAll(PART)) {
    const unitIndex = UNIT_ORDER.indexOf(unit);
    if (unitIndex <= previousUnitIndex) {
      return undefined;
    }
    previousUnitIndex = unitIndex;
    total += Number(amount) * UNIT_MILLISECONDS[unit];
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

export function isDuration(value: unknown): value is string {
  return typeof value === 'string' && parseDuration(value) !== undefined;
}
