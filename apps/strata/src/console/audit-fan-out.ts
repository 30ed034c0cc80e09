import { AuditPageDto, AuditRecordDto, CORRELATION_HEADER, PROBLEM_CONTENT_TYPE, encodeAuditCursor, newestFirst } from '@strata/observability';
import type { Request, Response } from 'express';
import { Upstream, Upstreams, sendUpstreamProblem } from './upstreams';

export const AUDIT_PATH = '/v1/audit';

type Answer = { upstream: Upstream; status: number; contentType: string; text: string } | { upstream: Upstream; error: Error & { code?: string } };

const cursorOf = (record: AuditRecordDto) => ({ at: new Date(record.at), service: record.service, id: record.id });

/**
 * GET /v1/audit across the services, as the all-in-one process answers it from their logs: each
 * service is asked for the same page (same filter, same cursor: a cursor names a row's time,
 * service and id, so every service can continue after it), and the pages are merged in the one
 * audit order. Each service checks the caller's token itself. A service that does not answer is a
 * 502 naming it, not a page silently missing its writes.
 */
export async function auditFanOut(request: Request, response: Response, upstreams: Upstreams): Promise<void> {
  const queryAt = request.originalUrl.indexOf('?');
  const query = queryAt < 0 ? '' : request.originalUrl.slice(queryAt);
  const correlationId = response.getHeader(CORRELATION_HEADER) as string | undefined;
  const headers: Record<string, string> = { accept: 'application/json', ...(request.headers.authorization ? { authorization: request.headers.authorization } : {}), ...(correlationId ? { [CORRELATION_HEADER]: correlationId } : {}) };
  const answers = await Promise.all(
    upstreams.all.map(async (upstream): Promise<Answer> => {
      try {
        return { upstream, ...(await upstreams.get(upstream, `${AUDIT_PATH}${query}`, headers, 30_000)) };
      } catch (error) {
        return { upstream, error: error as Error & { code?: string } };
      }
    }),
  );
  const down = answers.find((answer) => 'error' in answer);
  if (down && 'error' in down) {
    sendUpstreamProblem(response, down.upstream, down.error, request.originalUrl, correlationId);
    return;
  }
  const pages = answers as Extract<Answer, { status: number }>[];
  // Every service validates the same query and token alike: the first refusal speaks for all.
  const refused = pages.find((page) => page.status !== 200);
  if (refused) {
    response.status(refused.status).type(refused.contentType.startsWith(PROBLEM_CONTENT_TYPE) ? PROBLEM_CONTENT_TYPE : refused.contentType).send(refused.text);
    return;
  }
  const parsed = pages.map((page) => JSON.parse(page.text) as AuditPageDto);
  response.status(200).json(mergeAuditPages(parsed, Number(new URLSearchParams(query).get('limit') ?? 50)));
}

/** The first `limit` records of the services' pages in the audit's order, and a cursor when any service has more. */
export function mergeAuditPages(pages: readonly AuditPageDto[], limit: number): AuditPageDto {
  const merged = pages.flatMap((page) => page.items).sort((a, b) => newestFirst(cursorOf(a), cursorOf(b)));
  const items = merged.slice(0, limit);
  const last = items[items.length - 1];
  const more = merged.length > limit || pages.some((page) => page.nextCursor !== null);
  return { items, nextCursor: more && last ? encodeAuditCursor(cursorOf(last)) : null };
}
