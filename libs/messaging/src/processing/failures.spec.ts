import { DomainError, DomainErrorCode } from '@strata/domain';
import { FailureKind, PermanentFailure, TransientFailure, classifyFailure } from './failures';

function withCode(code: string, message = 'failed'): Error {
  return Object.assign(new Error(message), { code });
}

describe(classifyFailure.name, () => {
  const sut = classifyFailure;

  it('honours explicit failures', () => {
    expect(sut(new PermanentFailure('x'))).toBe(FailureKind.Permanent);
    expect(sut(new TransientFailure('x'))).toBe(FailureKind.Transient);
  });

  it.each([
    [DomainErrorCode.InvalidInput, FailureKind.Permanent],
    [DomainErrorCode.AlreadyExists, FailureKind.Permanent],
    [DomainErrorCode.Conflict, FailureKind.Permanent],
    [DomainErrorCode.NotFound, FailureKind.Unknown],
    [DomainErrorCode.PreconditionFailed, FailureKind.Unknown],
    [DomainErrorCode.NotYetKnown, FailureKind.Unknown],
    [DomainErrorCode.Unavailable, FailureKind.Transient],
  ])('maps domain code %s to %s', (code, kind) => {
    expect(sut(new DomainError(code, 'x'))).toBe(kind);
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT'])('treats network error %s as transient', (code) => {
    expect(sut(withCode(code))).toBe(FailureKind.Transient);
  });

  it.each([
    ['08006', FailureKind.Transient],
    ['57P01', FailureKind.Transient],
    ['53300', FailureKind.Transient],
    ['40001', FailureKind.Transient],
    ['40P01', FailureKind.Transient],
    ['23505', FailureKind.Permanent],
    ['22P02', FailureKind.Permanent],
    ['42P01', FailureKind.Unknown],
  ])('classifies SQLSTATE %s as %s', (code, kind) => {
    expect(sut(withCode(code))).toBe(kind);
  });

  it('treats a database closed to connections for a while as transient, and SQLSTATE 55000 otherwise as unknown', () => {
    expect(sut(Object.assign(new Error('database "strata" is not currently accepting connections'), { code: '55000' }))).toBe(FailureKind.Transient);
    expect(sut(Object.assign(new Error('currval of sequence "s" is not yet defined in this session'), { code: '55000' }))).toBe(FailureKind.Unknown);
  });

  it('looks through TypeORM driver errors', () => {
    const wrapped = Object.assign(new Error('query failed'), { driverError: withCode('23505') });
    expect(sut(wrapped)).toBe(FailureKind.Permanent);
  });

  it('treats a dropped pg connection as transient', () => {
    expect(sut(new Error('Connection terminated unexpectedly'))).toBe(FailureKind.Transient);
  });

  it('leaves anything else unknown', () => {
    expect(sut(new TypeError('x is undefined'))).toBe(FailureKind.Unknown);
    expect(sut('a string')).toBe(FailureKind.Unknown);
    expect(sut(null)).toBe(FailureKind.Unknown);
  });
});
