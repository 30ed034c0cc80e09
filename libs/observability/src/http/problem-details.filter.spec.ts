import { ArgumentsHost } from '@nestjs/common';
import { ProblemDetailsFilter, isDatabaseUnreachable } from './problem-details.filter';

const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
/** As TypeORM throws a driver's error: a QueryFailedError-like wrapper carrying it as driverError. */
const wrapped = (driverError: Error) => Object.assign(new Error(driverError.message), { driverError });

describe(isDatabaseUnreachable.name, () => {
  it.each([
    ['a refused connection', withCode('connect ECONNREFUSED 127.0.0.1:54329', 'ECONNREFUSED')],
    ['a reset connection', withCode('read ECONNRESET', 'ECONNRESET')],
    ['a connection lost mid-query', new Error('Connection terminated unexpectedly')],
    ["pg-pool's connect timeout", new Error('timeout exceeded when trying to connect')],
    ['SQLSTATE 57P01 (admin shutdown), wrapped by TypeORM', wrapped(withCode('terminating connection due to administrator command', '57P01'))],
    ['SQLSTATE 57P03 (starting up)', withCode('the database system is starting up', '57P03')],
    ['SQLSTATE 08006 (connection failure)', withCode('connection failure', '08006')],
    ['SQLSTATE 53300 (too many connections)', withCode('sorry, too many clients already', '53300')],
    ['a database closed to connections (55000)', withCode('database "strata" is not currently accepting connections', '55000')],
  ])('holds for %s', (_case, error) => {
    expect(isDatabaseUnreachable(error)).toBe(true);
  });

  it.each([
    ['a data exception', wrapped(withCode('value out of range', '22003'))],
    ['a unique violation', withCode('duplicate key', '23505')],
    ['a plain bug', new TypeError("Cannot read properties of undefined (reading 'id')")],
    ['a non-error', 'ECONNREFUSED'],
  ])('does not hold for %s', (_case, error) => {
    expect(isDatabaseUnreachable(error)).toBe(false);
  });
});

describe(ProblemDetailsFilter.name, () => {
  const answer = (exception: unknown) => {
    const headers: Record<string, string> = {};
    const sent: { status?: number; body?: string } = {};
    const response = {
      headersSent: false,
      getHeader: (name: string) => headers[name],
      setHeader: (name: string, value: string) => void (headers[name] = value),
      status(code: number) {
        sent.status = code;
        return this;
      },
      type() {
        return this;
      },
      send(body: string) {
        sent.body = body;
        return this;
      },
    };
    const request = { method: 'GET', originalUrl: '/v1/stacks', headers: {} };
    const host = { switchToHttp: () => ({ getRequest: () => request, getResponse: () => response }) } as unknown as ArgumentsHost;
    new ProblemDetailsFilter().catch(exception, host);
    return { status: sent.status, headers, body: JSON.parse(sent.body ?? '{}') as { type: string; detail: string } };
  };

  it('answers a request the database could not serve with 503 and Retry-After, not a 500 that reads as a bug', () => {
    const refused = answer(withCode('connect ECONNREFUSED 127.0.0.1:54329', 'ECONNREFUSED'));
    expect(refused).toMatchObject({ status: 503, headers: { 'Retry-After': '5' }, body: { type: 'https://strata.dev/problems/database-unavailable' } });
    expect(refused.body.detail).not.toContain('127.0.0.1');
  });

  it('still answers an unexpected error with an opaque 500, without Retry-After', () => {
    expect(answer(new TypeError('boom'))).toMatchObject({ status: 500, headers: {}, body: { type: 'https://strata.dev/problems/internal' } });
  });
});
