import { createParamDecorator, ExecutionContext } from '@nestjs/common';
import { Role } from '@strata/domain';
import type { Request } from 'express';

/** Who a verified bearer token speaks for. */
export interface AuthenticatedPrincipal {
  /** The token's principal: the name the audit trail records. */
  name: string;
  role: Role;
  /** The issued token's id; undefined for a token known from configuration (STRATA_ADMIN_TOKEN). */
  tokenId: string | undefined;
}

export type AuthenticatedRequest = Request & { principal?: AuthenticatedPrincipal };

/** The guard verified the token before any handler runs; a handler without one is a bug, not a caller's fault. */
export function principalOf(request: AuthenticatedRequest): AuthenticatedPrincipal {
  if (!request.principal) {
    throw new Error(`${request.method} ${request.originalUrl}: no verified principal (is the route @Public()?)`);
  }
  return request.principal;
}

/** The audit name of the caller, from the verified bearer token. */
export const Principal = createParamDecorator((_data: unknown, context: ExecutionContext): string => principalOf(context.switchToHttp().getRequest<AuthenticatedRequest>()).name);

/**
 * The caller's own `Authorization` header, verified by the guard, for a service that acts on the
 * caller's behalf at another service's API. A parameter decorator of its own rather than
 * `@Headers('authorization')`: the bearer scheme is the document's security requirement, not a
 * request parameter of the route.
 */
export const CallerAuthorization = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
  principalOf(request);
  return request.headers.authorization ?? '';
});
