import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import type { Request } from 'express';

export const ACTOR_HEADER = 'x-strata-actor';
export const ANONYMOUS_ACTOR = 'anonymous';

const ACCEPTABLE_ACTOR = /^[\w.@:/-]{1,128}$/;

/**
 * Who is making a change, for the audit trail. Until bearer-token auth lands this is the caller's
 * `x-strata-actor` header (an identity claimed, not proven), or `anonymous`.
 */
export function actorOf(request: Pick<Request, 'headers'>): string {
  const header = request.headers[ACTOR_HEADER];
  const value = Array.isArray(header) ? header[0] : header;
  return value && ACCEPTABLE_ACTOR.test(value) ? value : ANONYMOUS_ACTOR;
}

export const Actor = createParamDecorator((_data: unknown, context: ExecutionContext): string => actorOf(context.switchToHttp().getRequest<Request>()));
