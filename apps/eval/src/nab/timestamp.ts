const NAB_TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?$/;

/**
 * Milliseconds since the epoch of a NAB timestamp (`2014-04-10 07:15:00` or with `.000000`), read
 * as UTC: NAB's timestamps carry no zone and are only ever compared with each other.
 */
export function parseNabTimestamp(text: string): number {
  const match = NAB_TIMESTAMP.exec(text.trim());
  if (!match) throw new Error(`not a NAB timestamp: '${text}'`);
  const [, year, month, day, hour, minute, second, fraction = '0'] = match;
  const milliseconds = Math.round(Number(`0.${fraction}`) * 1000);
  return Date.UTC(Number(year), Number(month) - 1, Number(day), Number(hour), Number(minute), Number(second), milliseconds);
}
