import { parseDateTime } from './date-time';

describe(parseDateTime.name, () => {
  it.each([
    ['2027-03-01T00:00:00Z', '2027-03-01T00:00:00.000Z'],
    ['2027-03-01T01:30:00+01:30', '2027-03-01T00:00:00.000Z'],
    ['2028-02-29T12:00:00.123Z', '2028-02-29T12:00:00.123Z'],
    ['2027-12-31t23:59:59z', '2027-12-31T23:59:59.000Z'],
    ['2000-02-29T00:00:00Z', '2000-02-29T00:00:00.000Z'],
    ['2027-04-30T00:00:00Z', '2027-04-30T00:00:00.000Z'],
  ])('reads %s', (text, instant) => {
    expect(parseDateTime(text)?.toISOString()).toBe(instant);
  });

  it.each([
    ['a day the month does not have', '2027-02-30T00:00:00Z'],
    ['a leap day of a common year', '2027-02-29T00:00:00Z'],
    ['month 13', '2027-13-01T00:00:00Z'],
    ['the 31st of a 30-day month', '2027-04-31T00:00:00Z'],
    ['a leap day of a century not divisible by 400', '1900-02-29T00:00:00Z'],
    ['hour 24', '2027-03-01T24:00:00Z'],
    ['an expanded year', '+275760-09-13T00:00:00Z'],
    ['no offset', '2027-03-01T00:00:00'],
    ['a date alone', '2027-03-01'],
    ['a number', 1],
    ['null', null],
    ['free text', 'tomorrow'],
  ])('refuses %s', (_case, value) => {
    expect(parseDateTime(value)).toBeUndefined();
  });
});
