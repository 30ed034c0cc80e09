import type { INestApplication } from '@nestjs/common';
import { Role } from '@strata/domain';
import { hashTokenSecret } from './bearer-token';

/** An issued token as a verifier sees it: never the secret, only its hash. */
export interface IssuedToken {
  id: string;
  principal: string;
  role: Role;
  tokenHash: string;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/** Where a process finds issued tokens: the owner's table in the registry, a projection elsewhere. */
export interface TokenLookup {
  findByHash(tokenHash: string): Promise<IssuedToken | undefined>;
}

/** A token known from configuration on every process (STRATA_ADMIN_TOKEN), so it works before any token is issued. */
export interface ConfiguredToken {
  principal: string;
  role: Role;
  tokenHash: string;
}

export const ADMIN_PRINCIPAL = 'admin';

export function configuredTokens(settings: { adminToken: string | undefined }): ConfiguredToken[] {
  return settings.adminToken ? [{ principal: ADMIN_PRINCIPAL, role: 'admin', tokenHash: hashTokenSecret(settings.adminToken) }] : [];
}

/** How an API verifies bearer tokens: the configured ones, then the issued ones its lookup finds. */
export interface ApiAuth {
  configured: readonly ConfiguredToken[];
  /** Resolved from the built app on the first request that needs it. */
  lookup?: (app: INestApplication) => TokenLookup;
}
