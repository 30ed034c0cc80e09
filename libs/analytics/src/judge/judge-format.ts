/** How the judge writes figures in its reasons: three significant digits, signed shifts, percentages and p-values. */
export function formatNumber(value: number): string {
  if (Number.isInteger(value)) return String(value);
  return Math.abs(value) >= 1e-3 ? String(Number(value.toPrecision(3))) : value.toExponential(2);
}

export function formatSigned(value: number): string {
  return value > 0 ? `+${formatNumber(value)}` : formatNumber(value);
}

export function formatPercent(share: number, signed = true): string {
  const percent = Number((100 * share).toPrecision(3));
  return `${signed && percent > 0 ? '+' : ''}${percent} %`;
}

export function formatP(pValue: number): string {
  return pValue < 1e-4 ? pValue.toExponential(1) : String(Number(pValue.toPrecision(2)));
}
