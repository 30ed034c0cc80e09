import { DomainError } from '@strata/domain';
import { CORRELATION_HEADER, currentCorrelationId, hashTokenSecret } from '@strata/observability';
import { BadGatewayException } from '@nestjs/common';
import { Upstream, Upstreams } from './upstreams';

/** How long a token the registry accepted is taken as valid without asking again (a revocation takes at most this long here). */
export const TOKEN_CHECK_TTL_MS = 10_000;
const MAX_CACHED_TOKENS = 10_000;

function detailOf(text: string): string | undefined {
  try {
    const detail = (JSON.parse(text) as { detail?: unknown }).detail;
    return typeof detail === 'string' ? detail : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies a bearer token by asking its owner: the console keeps no token table, so it calls
 * the registry with the caller's token on a route every role may read (`GET /v1/stacks?limit=1`,
 * what `strata login` checks too). 200 proves at least the viewer role; the registry's own 401
 * is passed on with its reason. Accepted tokens are remembered for TOKEN_CHECK_TTL_MS by their
 * hash, so a dashboard's reconnects do not each cost a registry call; refusals are not.
 */
export class RegistryTokenCheck {
  private readonly accepted = new Map<string, number>();
  private readonly registry: Upstream;

  constructor(
    private readonly upstreams: Upstreams,
    private readonly now: () => number = Date.now,
  ) {
    this.registry = upstreams.of('registry');
  }

  async verify(secret: string): Promise<void> {
    const hash = hashTokenSecret(secret);
    if ((this.accepted.get(hash) ?? 0) > this.now()) return;
    const answer = await this.ask(secret);
    if (answer.status === 401 || answer.status === 403) {
      throw DomainError.unauthenticated(answer.detail ?? 'the registry does not accept this bearer token');
    }
    if (answer.status !== 200) {
      throw new BadGatewayException(`the registry, which verifies tokens, answered ${answer.status} at ${this.registry.base.origin}`);
    }
    if (this.accepted.size >= MAX_CACHED_TOKENS) this.accepted.clear();
    this.accepted.set(hash, this.now() + TOKEN_CHECK_TTL_MS);
  }

  private async ask(secret: string): Promise<{ status: number; detail: string | undefined }> {
    const correlationId = currentCorrelationId();
    try {
      const answer = await this.upstreams.get(this.registry, '/v1/stacks?limit=1', { authorization: `Bearer ${secret}`, accept: 'application/json', ...(correlationId ? { [CORRELATION_HEADER]: correlationId } : {}) });
      return { status: answer.status, detail: detailOf(answer.text) };
    } catch (error) {
      throw new BadGatewayException(`the registry service at ${this.registry.base.origin}, which verifies tokens, does not answer (${(error as { code?: string }).code ?? (error as Error).message})`);
    }
  }
}
