import type { NextFunction, Request, Response } from 'express';
import { CORRELATION_HEADER, acceptCorrelationId, runWithCorrelationId } from '../logging/correlation';

/** Every request runs with a correlation id: the caller's, or a new one echoed back. */
export function correlationMiddleware(request: Request, response: Response, next: NextFunction): void {
  const correlationId = acceptCorrelationId(request.headers[CORRELATION_HEADER]);
  response.setHeader(CORRELATION_HEADER, correlationId);
  runWithCorrelationId(correlationId, next);
}
