/**
 * Codes of failures the domain can explain. Every edge (HTTP, event consumers) maps each code
 * exhaustively, so adding a code is a compile error until every edge decides what it means.
 */
export enum DomainErrorCode {
  NotFound = 'not-found',
  AlreadyExists = 'already-exists',
  Conflict = 'conflict',
  InvalidInput = 'invalid-input',
  PreconditionFailed = 'precondition-failed',
  Unavailable = 'unavailable',
  /** No credentials, or credentials that prove nothing (unknown, expired or revoked token). */
  Unauthenticated = 'unauthenticated',
  /** Known caller, not allowed to do this (role too low). */
  Forbidden = 'forbidden',
  /**
   * The request names something its owner has announced but this service has not learnt yet (the
   * event is still on its way): refused like invalid input, but a caller may ask again shortly.
   */
  NotYetKnown = 'not-yet-known',
}

export interface DomainViolation {
  /** Dotted path of the offending field, e.g. `environments[1].mirrors`. */
  field: string;
  message: string;
}

export class DomainError extends Error {
  constructor(
    readonly code: DomainErrorCode,
    message: string,
    readonly violations: readonly DomainViolation[] = [],
  ) {
    super(message);
    this.name = 'DomainError';
  }

  static notFound(what: string, id: string): DomainError {
    return new DomainError(DomainErrorCode.NotFound, `${what} '${id}' does not exist`);
  }

  static alreadyExists(what: string, id: string): DomainError {
    return new DomainError(DomainErrorCode.AlreadyExists, `${what} '${id}' already exists`);
  }

  static unauthenticated(message: string): DomainError {
    return new DomainError(DomainErrorCode.Unauthenticated, message);
  }

  static forbidden(message: string): DomainError {
    return new DomainError(DomainErrorCode.Forbidden, message);
  }

  static invalid(message: string, violations: readonly DomainViolation[]): DomainError {
    return new DomainError(DomainErrorCode.InvalidInput, message, violations);
  }

  static notYetKnown(message: string, violations: readonly DomainViolation[]): DomainError {
    return new DomainError(DomainErrorCode.NotYetKnown, message, violations);
  }
}

export function isDomainError(error: unknown): error is DomainError {
  return error instanceof DomainError;
}
