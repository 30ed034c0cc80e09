import { Inject, Injectable, Optional } from '@nestjs/common';
import { ExternalContextCreator } from '@nestjs/core';
import { Role } from '@strata/domain';
import { Logger, RequireRole } from '@strata/observability';
import type { Request, Response } from 'express';
import { Observable, catchError, exhaustMap, filter, from, interval, map, of, take, takeUntil } from 'rxjs';

/** The role the live stream needs: on its route and on every check of an open stream. */
export const LIVE_STREAM_ROLE: Role = 'viewer';

export interface LiveStreamSettings {
  /** How often the token of an open stream is checked again. */
  tokenRecheckMs: number;
}

export const LIVE_STREAM_SETTINGS = Symbol('strata:live-stream-settings');

/**
 * As long as the console takes a token the registry accepted as valid without asking again
 * (TOKEN_CHECK_TTL_MS): a revoked or expired token loses its stream within 10 s embedded, where
 * every check reads the token table, and within 20 s on the console.
 */
export const DEFAULT_LIVE_STREAM_SETTINGS: LiveStreamSettings = { tokenRecheckMs: 10_000 };

type GuardedCall = (request: Request, response: Response) => Promise<unknown>;

/**
 * Keeps a token's stream open only while the token is still accepted. The API's auth guard let the
 * stream open, and it checks it again: the same global guard of the app (BearerAuthGuard on the
 * embedded API, ConsoleAuthGuard on the console), run by Nest's ExternalContextCreator for a
 * handler outside the router, so a token revoked, expired or unknown since is refused by the very
 * rules (and the console's token cache) every other request meets, none repeated here.
 */
@Injectable()
@RequireRole(LIVE_STREAM_ROLE)
export class LiveAccess {
  private readonly logger = new Logger('dashboard');
  private readonly settings: LiveStreamSettings;
  // Built on first use: the global guards are the app's once it is set up, not at injection.
  private guarded: GuardedCall | undefined;

  constructor(
    private readonly contexts: ExternalContextCreator,
    @Optional() @Inject(LIVE_STREAM_SETTINGS) settings?: LiveStreamSettings,
  ) {
    this.settings = settings ?? DEFAULT_LIVE_STREAM_SETTINGS;
  }

  /**
   * `events` until the guards refuse the request that opened them. A check that cannot answer (the
   * registry down, for the console) ends the stream too: the dashboard reconnects, and the guard
   * decides again as the stream opens.
   */
  whileAccepted<T>(request: Request, response: Response, events: Observable<T>): Observable<T> {
    const refused = interval(this.settings.tokenRecheckMs).pipe(
      exhaustMap(() =>
        from(this.check(request, response)).pipe(
          map(() => false),
          catchError((error: unknown) => {
            this.logger.info('live stream ended: its token is no longer accepted', { reason: error instanceof Error ? error.message : String(error) });
            return of(true);
          }),
        ),
      ),
      filter(Boolean),
      take(1),
    );
    return events.pipe(takeUntil(refused));
  }

  /** Not a route: what the guards are run for, with this class' role, the stream's. */
  accepted(): boolean {
    return true;
  }

  private check(request: Request, response: Response): Promise<unknown> {
    this.guarded ??= this.contexts.create(this, this.accepted, 'accepted', undefined, undefined, undefined, undefined, { guards: true, interceptors: false, filters: false }) as GuardedCall;
    return this.guarded(request, response);
  }
}
