import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus } from '@nestjs/common';
import { isDomainError } from '@strata/domain';
import type { Request, Response } from 'express';
import { currentCorrelationId } from '../logging/correlation';
import { Logger } from '../logging/json-logger';
import { DOMAIN_ERROR_HTTP_STATUS, PROBLEM_CONTENT_TYPE, ProblemDetails, problem } from './problem-details';
import { UnprocessableInputException } from './json-body';
import { RequestValidationException } from './request-validation';

/**
 * The one place HTTP errors are shaped: domain errors by their code, Nest's HTTP exceptions by
 * their status, anything else as an opaque 500 whose details stay in the log under the
 * correlation id the caller receives.
 */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('http');

  catch(exception: unknown, host: ArgumentsHost): void {
    const context = host.switchToHttp();
    const request = context.getRequest<Request>();
    const response = context.getResponse<Response>();
    const body = { ...this.toProblem(exception), instance: request.originalUrl, correlationId: currentCorrelationId() };

    if (isDatabaseUnreachable(exception)) {
      // An outage answers every request alike: one line each, not a stack trace each.
      this.logger.warn(`${request.method} ${request.originalUrl}: the database is unreachable`, { error: (exception as Error).message });
    } else if (body.status >= 500) {
      this.logger.error(`${request.method} ${request.originalUrl} failed`, exception, { status: body.status });
    }
    if (response.headersSent) {
      response.destroy();
      return;
    }
    if (body.status === 401) {
      // RFC 6750 §3: a 401 names the scheme the client should use.
      response.setHeader('WWW-Authenticate', request.headers.authorization ? 'Bearer realm="strata", error="invalid_token"' : 'Bearer realm="strata"');
    }
    if (body.status === 503 && !response.getHeader('Retry-After')) {
      response.setHeader('Retry-After', String(UNAVAILABLE_RETRY_AFTER_S));
    }
    response.status(body.status).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(body));
  }

  private toProblem(exception: unknown): ProblemDetails {
    if (isDomainError(exception)) {
      const status = DOMAIN_ERROR_HTTP_STATUS[exception.code];
      return problem(status, exception.code, exception.message, exception.violations.length ? { errors: [...exception.violations] } : {});
    }
    if (exception instanceof RequestValidationException) {
      return problem(HttpStatus.BAD_REQUEST, 'invalid-request', exception.message, { errors: exception.violations });
    }
    if (exception instanceof UnprocessableInputException) {
      return problem(HttpStatus.UNPROCESSABLE_ENTITY, 'unprocessable-input', exception.message, { errors: exception.violations });
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return problem(status, `http-${status}`, this.httpDetail(exception));
    }
    if (isBodyParserError(exception)) {
      return problem(exception.status, exception.status === 413 ? 'body-too-large' : 'unreadable-body', exception.message);
    }
    if (isPostgresDataException(exception)) {
      // A last line of defence: the edge validates input, so reaching here names a missing rule (logged as such).
      this.logger.warn('PostgreSQL refused a value the request carried; a validation rule is missing', { error: exception.message });
      return problem(HttpStatus.UNPROCESSABLE_ENTITY, 'invalid-value', 'a value in the request cannot be stored (out of range or malformed)');
    }
    if (isDatabaseUnreachable(exception)) {
      // Not a bug of the request nor of the service: a client told 503 retries, one told 500 files a report.
      return problem(HttpStatus.SERVICE_UNAVAILABLE, 'database-unavailable', 'the database is unreachable; retry shortly (GET /health names what is down)');
    }
    return problem(HttpStatus.INTERNAL_SERVER_ERROR, 'internal', 'an unexpected error occurred; quote the correlation id when reporting it');
  }

  private httpDetail(exception: HttpException): string {
    const response = exception.getResponse();
    if (typeof response === 'string') {
      return response;
    }
    const message = (response as { message?: unknown }).message;
    return Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : exception.message;
  }
}

/** How long a client told 503 should wait before asking again. */
const UNAVAILABLE_RETRY_AFTER_S = 5;

/** Socket errors of a database connection, and node-postgres' and pg-pool's own words for a lost or refused one. */
const UNREACHABLE_CODES: ReadonlySet<string> = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'EAI_AGAIN', 'EPIPE', 'EHOSTUNREACH', 'ENETUNREACH']);
const UNREACHABLE_MESSAGES = /Connection terminated|connection timeout|timeout exceeded when trying to connect|Client has encountered a connection error|Connection is not established/i;

/**
 * The database cannot be reached, as opposed to refusing a statement: a socket error, a lost
 * connection, SQLSTATE class 08 (connection exception), 57P01–57P03 (shutting down, starting up),
 * 53300 (too many connections) or a database not accepting connections (55000 with those words). TypeORM wraps the driver's error as `driverError`.
 */
export function isDatabaseUnreachable(exception: unknown): boolean {
  if (!(exception instanceof Error)) return false;
  return [exception, (exception as { driverError?: unknown }).driverError].some((error) => {
    if (!(error instanceof Error)) return false;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && (UNREACHABLE_CODES.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code) || code === '53300')) return true;
    if (code === '55000' && /is not currently accepting connections/.test(error.message)) return true;
    return UNREACHABLE_MESSAGES.test(error.message);
  });
}

/** SQLSTATE class 22 (data exception): out-of-range numbers, malformed values, NUL in text. */
function isPostgresDataException(exception: unknown): exception is Error {
  const code = (exception as { driverError?: { code?: unknown } } | undefined)?.driverError?.code;
  return exception instanceof Error && typeof code === 'string' && code.startsWith('22');
}

/** body-parser raises plain errors with a 4xx `status` (malformed JSON, body too large). */
function isBodyParserError(exception: unknown): exception is Error & { status: number } {
  if (!(exception instanceof Error)) {
    return false;
  }
  const status = (exception as { status?: unknown }).status;
  return typeof status === 'number' && status >= 400 && status < 500;
}
