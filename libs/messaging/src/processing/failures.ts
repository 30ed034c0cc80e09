import { DomainErrorCode, isDomainError } from '@strata/domain';
import { isDatabaseUnreachable } from '@strata/observability';

export enum FailureKind {
  /** Will fail the same way every time (bad data, a rule refused it): dead-letter at once. */
  Permanent = 'permanent',
  /** Infrastructure hiccup (database or broker away): retry until it works. */
  Transient = 'transient',
  /** Not known to be either: retry a few times, then dead-letter. */
  Unknown = 'unknown',
}

export class PermanentFailure extends Error {
  override readonly name = 'PermanentFailure';
}

export class TransientFailure extends Error {
  override readonly name = 'TransientFailure';
}

const DOMAIN_FAILURE_KIND: Record<DomainErrorCode, FailureKind> = {
  [DomainErrorCode.InvalidInput]: FailureKind.Permanent,
  [DomainErrorCode.AlreadyExists]: FailureKind.Permanent,
  [DomainErrorCode.Conflict]: FailureKind.Permanent,
  // An event may arrive before the one that creates what it refers to (different topics).
  [DomainErrorCode.NotFound]: FailureKind.Unknown,
  [DomainErrorCode.PreconditionFailed]: FailureKind.Unknown,
  [DomainErrorCode.NotYetKnown]: FailureKind.Unknown,
  [DomainErrorCode.Unavailable]: FailureKind.Transient,
  [DomainErrorCode.Unauthenticated]: FailureKind.Permanent,
  [DomainErrorCode.Forbidden]: FailureKind.Permanent,
};

/** PostgreSQL SQLSTATE classes: https://www.postgresql.org/docs/current/errcodes-appendix.html */
function classifySqlState(sqlState: string): FailureKind {
  if (sqlState === '40001' || sqlState === '40P01' || sqlState === '55P03') {
    return FailureKind.Transient; // serialization failure, deadlock, lock not available
  }
  switch (sqlState.slice(0, 2)) {
    case '08': // connection exception
    case '53': // insufficient resources
    case '57': // operator intervention (admin shutdown, cannot connect now)
    case '58': // system error
      return FailureKind.Transient;
    case '22': // data exception
    case '23': // integrity constraint violation
      return FailureKind.Permanent;
    default:
      return FailureKind.Unknown;
  }
}

function codeOf(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}

export function classifyFailure(error: unknown): FailureKind {
  if (error instanceof PermanentFailure) {
    return FailureKind.Permanent;
  }
  if (error instanceof TransientFailure) {
    return FailureKind.Transient;
  }
  if (isDomainError(error)) {
    return DOMAIN_FAILURE_KIND[error.code];
  }
  // A lost or refused connection (socket errors, pg's own words, a database closed to connections),
  // the same test that answers 503 on HTTP.
  if (isDatabaseUnreachable(error)) {
    return FailureKind.Transient;
  }
  // TypeORM wraps the driver's error; pg puts SQLSTATE in `code`.
  const code = codeOf((error as { driverError?: unknown } | null)?.driverError) ?? codeOf(error);
  if (code && /^[0-9A-Z]{5}$/.test(code)) {
    return classifySqlState(code);
  }
  return FailureKind.Unknown;
}
