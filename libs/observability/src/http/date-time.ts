import { applyDecorators } from '@nestjs/common';
import { Transform } from 'class-transformer';
import { IsDate } from 'class-validator';

/** RFC 3339's date-time (what OpenAPI's `format: date-time` means), years 0000–9999. */
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,9})?(Z|[+-](\d{2}):(\d{2}))$/i;

/**
 * The instant a date-time string names, or undefined when it is not one. `new Date()` alone takes
 * far more and means less: 2027-02-30 becomes 2 March, "+275760-09-13" a year past any column, "1"
 * an instant of 2001, and null the epoch.
 */
export function parseDateTime(value: unknown): Date | undefined {
  if (typeof value !== 'string') return undefined;
  const parts = DATE_TIME.exec(value);
  if (!parts) return undefined;
  const [year, month, day, hour, minute, second] = parts.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  const offsetHours = parts[9] === undefined ? 0 : Number(parts[9]);
  const offsetMinutes = parts[10] === undefined ? 0 : Number(parts[10]);
  const leap = year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0);
  const daysInMonth = month === 2 ? (leap ? 29 : 28) : [4, 6, 9, 11].includes(month) ? 30 : 31;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth || hour > 23 || minute > 59 || second > 59 || offsetHours > 23 || offsetMinutes > 59) return undefined;
  const instant = new Date(value);
  return Number.isNaN(instant.getTime()) ? undefined : instant;
}

/** A body or query field holding an RFC 3339 date-time, handed to the handler as a Date; anything else is refused naming the field. */
export function IsDateTime(): PropertyDecorator {
  return applyDecorators(
    Transform(({ value }: { value: unknown }) => parseDateTime(value) ?? value),
    IsDate({ message: ({ property }) => `${property} must be an RFC 3339 date-time such as 2027-03-01T00:00:00Z` }),
  );
}
