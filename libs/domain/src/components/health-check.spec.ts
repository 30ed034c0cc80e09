import { healthCheckViolations } from './health-check';

describe(healthCheckViolations.name, () => {
  const sut = healthCheckViolations;

  it.each([
    { url: 'http://{node}/healthz', expectStatus: 200, timeout: '1s', interval: '5s' },
    { url: 'https://payments.example.com/v3/health', expectStatus: 200, expect: '"status":"ok"', timeout: '2s', interval: '30s' },
    { sql: 'SELECT 1 FROM orders LIMIT 1', timeout: '2s', interval: '10s' },
    { sql: 'SELECT count(*) > 0 FROM orders', expect: true, timeout: '500ms', interval: '500ms' },
  ])('accepts %p', (healthCheck) => {
    expect(sut(healthCheck)).toEqual([]);
  });

  it('requires an object', () => {
    expect(sut('http://x')).toEqual([{ field: 'healthCheck', message: "must be an object, got the string 'http://x'" }]);
  });

  it.each([{ timeout: '1s', interval: '5s' }, { url: 'http://x/h', sql: 'SELECT 1', timeout: '1s', interval: '5s' }])('needs exactly one probe: %p', (healthCheck) => {
    expect(sut(healthCheck)).toContainEqual({ field: 'healthCheck', message: "must hold exactly one probe: 'url' (HTTP) or 'sql'" });
  });

  it('requires positive durations for timeout and interval', () => {
    expect(sut({ url: 'http://{node}/h', timeout: 1000, interval: '0s' })).toEqual([
      { field: 'healthCheck.timeout', message: 'must be a positive duration such as 500ms, 2s or 1m, got number 1000' },
      { field: 'healthCheck.interval', message: "must be a positive duration such as 500ms, 2s or 1m, got the string '0s'" },
    ]);
  });

  it('requires timeout and interval', () => {
    expect(sut({ url: 'http://{node}/h' }).map((violation) => violation.field)).toEqual(['healthCheck.timeout', 'healthCheck.interval']);
  });

  it('refuses a timeout longer than the interval', () => {
    expect(sut({ url: 'http://{node}/h', timeout: '1m', interval: '30s' })).toEqual([
      { field: 'healthCheck.timeout', message: '1m exceeds the interval 30s; a probe must end before the next starts' },
    ]);
  });

  it('refuses an HTTP expectation on a SQL probe, and a typo of a known field', () => {
    expect(sut({ sql: 'SELECT 1', expectStatus: 200, expectedStatus: 200, timeout: '1s', interval: '5s' })).toEqual([
      { field: 'healthCheck.expectStatus', message: expect.stringContaining('is not a known field') },
      { field: 'healthCheck.expectedStatus', message: expect.stringContaining('is not a known field') },
    ]);
  });

  it('checks url, status and body expectation of an HTTP probe', () => {
    expect(sut({ url: 'healthz', expectStatus: '200', expect: { status: 'ok' }, timeout: '1s', interval: '5s' })).toEqual([
      { field: 'healthCheck.url', message: "'healthz' is not an absolute URL" },
      { field: 'healthCheck.expectStatus', message: "must be an integer from 100 to 599, got the string '200'" },
      { field: 'healthCheck.expect', message: 'must be text the response body contains, got an object' },
    ]);
  });

  it('checks the query and expectation of a SQL probe', () => {
    expect(sut({ sql: '', expect: [1], timeout: '1s', interval: '5s' })).toEqual([
      { field: 'healthCheck.sql', message: 'must be a non-blank string, got a blank string' },
      { field: 'healthCheck.expect', message: "must be the scalar the query's first value equals, got a list" },
    ]);
  });

  it('refuses a misspelt node placeholder', () => {
    expect(sut({ url: 'http://{nodes}/healthz', timeout: '1s', interval: '5s' })).toEqual([
      { field: 'healthCheck.url', message: "'http://{nodes}/healthz' holds a placeholder other than {node}" },
    ]);
  });

  it('refuses whitespace in a URL', () => {
    expect(sut({ url: 'http://{node}/health check', timeout: '1s', interval: '5s' })).toEqual([
      { field: 'healthCheck.url', message: "'http://{node}/health check' must not contain whitespace" },
    ]);
  });
});
