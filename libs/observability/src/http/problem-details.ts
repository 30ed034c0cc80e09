import { HttpStatus } from '@nestjs/common';
import { DomainErrorCode, DomainViolation } from '@strata/domain';

/** RFC 9457 problem details; `errors` lists each offending field when input was refused. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  instance?: string;
  correlationId?: string;
  errors?: DomainViolation[];
}

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

const PROBLEM_BASE = 'https://strata.dev/problems/';

/** Every domain code has an HTTP meaning; a new code does not compile until it gets one here. */
export const DOMAIN_ERROR_HTTP_STATUS: Record<DomainErrorCode, HttpStatus> = {
  [DomainErrorCode.NotFound]: HttpStatus.NOT_FOUND,
  [DomainErrorCode.AlreadyExists]: HttpStatus.CONFLICT,
  [DomainErrorCode.Conflict]: HttpStatus.CONFLICT,
  [DomainErrorCode.InvalidInput]: HttpStatus.UNPROCESSABLE_ENTITY,
  [DomainErrorCode.PreconditionFailed]: HttpStatus.PRECONDITION_FAILED,
  [DomainErrorCode.Unavailable]: HttpStatus.SERVICE_UNAVAILABLE,
  [DomainErrorCode.Unauthenticated]: HttpStatus.UNAUTHORIZED,
  [DomainErrorCode.Forbidden]: HttpStatus.FORBIDDEN,
  // 422 like invalid input (what was named is not there for this service), with a type of its own so callers retry on it.
  [DomainErrorCode.NotYetKnown]: HttpStatus.UNPROCESSABLE_ENTITY,
};

const TITLES: Partial<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
};

export function problemTitle(status: number): string {
  return TITLES[status] ?? (status >= 500 ? 'Server Error' : 'Client Error');
}

export function problemType(slug: string): string {
  return `${PROBLEM_BASE}${slug}`;
}

export function problem(status: number, slug: string, detail: string, extra: Partial<ProblemDetails> = {}): ProblemDetails {
  return { type: problemType(slug), title: problemTitle(status), status, detail, ...extra };
}
