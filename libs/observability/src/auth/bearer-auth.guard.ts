import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { DomainError, Role, roleSatisfies } from '@strata/domain';
import { bearerTokenOf, hashTokenSecret, tokenHashesEqual } from './bearer-token';
import { AuthenticatedPrincipal, AuthenticatedRequest } from './principal.decorator';
import { PUBLIC_ROUTE, REQUIRED_ROLE } from './roles.decorator';
import { ConfiguredToken, TokenLookup } from './token-verification';

/**
 * Every HTTP route passes here: @Public() ones go through, the others need a bearer token whose
 * role satisfies the route's @RequireRole. A route that declares neither is refused (fail closed).
 * 401 and 403 are domain errors, so the problem-details filter shapes them like any other.
 */
@Injectable()
export class BearerAuthGuard implements CanActivate {
  private lookup: TokenLookup | undefined;

  constructor(
    private readonly reflector: Reflector,
    private readonly configured: readonly ConfiguredToken[],
    private readonly resolveLookup: (() => TokenLookup) | undefined,
    private readonly now: () => number = Date.now,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    if (context.getType() !== 'http') {
      return true;
    }
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_ROUTE, targets)) {
      return true;
    }
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const required = this.reflector.getAllAndOverride<Role | undefined>(REQUIRED_ROLE, targets);
    if (!required) {
      throw DomainError.forbidden(`${request.method} ${request.path} declares no role, so nobody may call it`);
    }
    const principal = await this.authenticate(request.headers.authorization);
    if (!roleSatisfies(principal.role, required)) {
      throw DomainError.forbidden(`this needs the ${required} role; the token of '${principal.name}' has the ${principal.role} role`);
    }
    request.principal = principal;
    return true;
  }

  private async authenticate(header: string | undefined): Promise<AuthenticatedPrincipal> {
    const secret = bearerTokenOf(header);
    if (!secret) {
      throw DomainError.unauthenticated(header ? 'the Authorization header is not a well-formed bearer token' : 'a bearer token is required (Authorization: Bearer <token>)');
    }
    const tokenHash = hashTokenSecret(secret);
    let matched: AuthenticatedPrincipal | undefined;
    // Every configured token is compared, in constant time, whichever matches.
    for (const configured of this.configured) {
      if (tokenHashesEqual(configured.tokenHash, tokenHash) && !matched) {
        matched = { name: configured.principal, role: configured.role, tokenId: undefined };
      }
    }
    if (matched) {
      return matched;
    }
    // Found by its hash's index: timing can reveal at most a prefix of a SHA-256 digest, not of the secret.
    const issued = this.resolveLookup ? await this.tokenLookup().findByHash(tokenHash) : undefined;
    if (!issued || !tokenHashesEqual(issued.tokenHash, tokenHash)) {
      throw DomainError.unauthenticated('the bearer token is not known');
    }
    if (issued.revokedAt) {
      throw DomainError.unauthenticated('the bearer token has been revoked');
    }
    if (issued.expiresAt && issued.expiresAt.getTime() <= this.now()) {
      throw DomainError.unauthenticated('the bearer token has expired');
    }
    return { name: issued.principal, role: issued.role, tokenId: issued.id };
  }

  private tokenLookup(): TokenLookup {
    this.lookup ??= this.resolveLookup?.();
    if (!this.lookup) {
      throw new Error('no token lookup configured');
    }
    return this.lookup;
  }
}
