import { severityOf } from './severity';

describe(severityOf.name, () => {
  const sut = severityOf;

  it.each([
    [0, 'none'],
    [0.29, 'none'],
    [0.3, 'low'],
    [0.5, 'medium'],
    [0.7, 'high'],
    [0.9, 'critical'],
    [1, 'critical'],
  ] as const)('rates %p as %p', (score, severity) => {
    expect(sut(score)).toBe(severity);
  });
});
