import { CallHandler, ExecutionContext, Injectable, NestInterceptor, Type } from '@nestjs/common';
import { HTTP_CODE_METADATA } from '@nestjs/common/constants';
import type { Request, Response } from 'express';
import { Observable, concatMap } from 'rxjs';
import { principalOf, AuthenticatedRequest } from '../auth/principal.decorator';
import { currentCorrelationId } from '../logging/correlation';
import { Logger } from '../logging/json-logger';
import { auditWriteFailures } from '../metrics/metrics';
import { AuditEntry } from './audit-log';
import { auditableBody } from './audit-body';
import { AuditTrail } from './audit-trail';

export const WRITE_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/** The body's size as the client sent it, when it said so. */
function receivedBytes(contentLength: string | undefined): number | undefined {
  const bytes = Number(contentLength);
  return contentLength !== undefined && Number.isSafeInteger(bytes) && bytes >= 0 ? bytes : undefined;
}

/**
 * Every accepted write leaves an audit row in the owning service's table, written before the answer
 * goes out, so a caller that saw its 2xx can read the row. Refused requests (4xx, 5xx) change nothing
 * and leave none: the log and `strata_http_request_duration_seconds` count those. Which controller
 * belongs to which service's log is checked at start-up (AuditCoverage), so a new write route
 * cannot go unaudited.
 */
@Injectable()
export class AuditInterceptor implements NestInterceptor {
  private readonly logger = new Logger('audit');

  constructor(
    private readonly trail: AuditTrail,
    private readonly now: () => Date = () => new Date(),
  ) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    if (context.getType() !== 'http' || !WRITE_METHODS.has(request.method)) {
      return next.handle();
    }
    const log = this.trail.logFor(context.getClass() as Type<unknown>);
    if (!log) {
      return next.handle();
    }
    return next.handle().pipe(
      concatMap(async (answer: unknown) => {
        const entry = this.entryOf(context, request, answer);
        try {
          await log.record(entry);
        } catch (error) {
          // The write has committed: failing the answer would make the caller retry a done write.
          // The entry goes to the log in full instead, and the counter pages whoever watches it.
          auditWriteFailures.inc({ service: log.service });
          this.logger.error('audit row not written; the entry follows', error, { service: log.service, entry });
        }
        return answer;
      }),
    );
  }

  private entryOf(context: ExecutionContext, request: AuthenticatedRequest & Request, answer: unknown): AuditEntry {
    const principal = principalOf(request);
    const response = context.switchToHttp().getResponse<Response>();
    const declared = Reflect.getMetadata(HTTP_CODE_METADATA, context.getHandler()) as number | undefined;
    const route = request.route?.path ? `${request.baseUrl}${String(request.route.path)}` : request.path;
    return {
      at: this.now(),
      principal: principal.name,
      role: principal.role,
      tokenId: principal.tokenId ?? null,
      action: `${request.method} ${route}`,
      target: request.path,
      // A handler that sets its own status (passthrough) has done so by now; else the route's declared one.
      status: response.statusCode !== 200 ? response.statusCode : (declared ?? (request.method === 'POST' ? 201 : 200)),
      params: { ...(request.params as Record<string, string>) },
      query: { ...(request.query as Record<string, unknown>) },
      request: auditableBody(request.body, request.headers['content-type'], receivedBytes(request.headers['content-length'])),
      after: auditableBody(answer, 'application/json'),
      correlationId: currentCorrelationId() ?? null,
    };
  }
}
