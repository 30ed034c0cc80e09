import { Inject, Injectable } from '@nestjs/common';
import { DomainError, DomainErrorCode, DomainViolation } from '@strata/domain';
import { PREDICTIVE_STAGING_SETTINGS, PredictiveStagingSettings } from '../config/predictive-staging-settings';

const TIMEOUT_MS = 30_000;

export type Owner = 'registry' | 'rollback' | 'routing-control';

/** An owner's answer: its status and its JSON body (problem+json when it refused). */
export interface OwnerAnswer<T> {
  status: number;
  body: T;
}

/** A refusal as problem+json says it. */
export interface Problem {
  /** The problem type URI, e.g. https://strata.dev/problems/not-yet-known. */
  type?: string;
  detail?: string;
  title?: string;
  errors?: DomainViolation[];
}

/**
 * The registry's, the rollback service's and routing-control's management APIs, as any client calls them.
 *
 * Why HTTP and not events: promotion needs the owners' answers before it may say it promoted
 * (a version registered or refused, a group that resolves with what is deployed, an execution that
 * succeeded), and each answer decides the next step; over events that is a request/reply saga with
 * timeouts, which the design asks to avoid. Calling the owners' APIs keeps each rule with its owner
 * and predictive-staging never reads their schemas.
 *
 * Why the caller's token: the operator who promotes is the principal of every change made on the
 * way (the audit trails of the registry and the rollback service name them), no service credential
 * is stored, and the owners check the operator role themselves. In embedded mode every module
 * listens on one origin, which the launcher gives as the default of both URLs.
 */
@Injectable()
export class OwnerApis {
  constructor(@Inject(PREDICTIVE_STAGING_SETTINGS) private readonly settings: PredictiveStagingSettings) {}

  /** One call; an owner that cannot be reached or fails (5xx) → 503 naming it, a token it refuses → 401/403 with its reason. */
  async call<T>(owner: Owner, method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, authorization: string, body?: unknown): Promise<OwnerAnswer<T>> {
    const base = { registry: this.settings.promotion.registryUrl, rollback: this.settings.promotion.rollbackUrl, 'routing-control': this.settings.mirror.routingControlUrl }[owner];
    let response: Response;
    try {
      response = await fetch(`${base}${path}`, {
        method,
        headers: { authorization, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(TIMEOUT_MS),
      });
    } catch (error) {
      throw new DomainError(DomainErrorCode.Unavailable, `the ${owner} service at ${base} cannot be reached: ${(error as Error).message}`);
    }
    const text = await response.text();
    const parsed = (text ? safeJson(text) : {}) as T & Problem;
    if (response.status >= 500) {
      throw new DomainError(DomainErrorCode.Unavailable, `the ${owner} service answered ${response.status} to ${method} ${path}: ${describeProblem(parsed)}`);
    }
    if (response.status === 401 || response.status === 403) {
      const code = response.status === 401 ? DomainErrorCode.Unauthenticated : DomainErrorCode.Forbidden;
      throw new DomainError(code, `the ${owner} service refused the caller's token for ${method} ${path}: ${describeProblem(parsed)}`);
    }
    return { status: response.status, body: parsed };
  }
}

/** What a refusal says, in one line. */
export function describeProblem(problem: Problem): string {
  const violations = (problem.errors ?? []).map((violation) => `${violation.field}: ${violation.message}`);
  return [problem.detail ?? problem.title ?? 'no detail', ...violations].join('; ');
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return { detail: text.slice(0, 500) };
  }
}
