import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, Role } from '@strata/domain';
import { AuthenticatedRequest, ConfiguredToken, PUBLIC_ROUTE, REQUIRED_ROLE, bearerTokenOf, hashTokenSecret, tokenHashesEqual } from '@strata/observability';
import { RegistryTokenCheck } from './registry-token-check';

/**
 * The console's own routes (the dashboard's live stream) need a token like every other route:
 * STRATA_ADMIN_TOKEN, compared here, or a token the registry accepts. The registry proves only
 * that a token holds some role (viewer at least), so a route of the console may not ask for more.
 */
@Injectable()
export class ConsoleAuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly configured: readonly ConfiguredToken[],
    private readonly registry: RegistryTokenCheck,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    if (context.getType() !== 'http' || this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) {
      return true;
    }
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const required = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, targets);
    if (required !== 'viewer') {
      throw DomainError.forbidden(`${request.method} ${request.path} ${required ? `needs the ${required} role, which the console cannot verify` : 'declares no role, so nobody may call it'}`);
    }
    const secret = bearerTokenOf(request.headers.authorization);
    if (!secret) {
      throw DomainError.unauthenticated(request.headers.authorization ? 'the Authorization header is not a well-formed bearer token' : 'a bearer token is required (Authorization: Bearer <token>)');
    }
    const hash = hashTokenSecret(secret);
    const admin = this.configured.find((token) => tokenHashesEqual(token.tokenHash, hash));
    if (admin) {
      request.principal = { name: admin.principal, role: admin.role, tokenId: undefined };
      return true;
    }
    await this.registry.verify(secret);
    return true;
  }
}
