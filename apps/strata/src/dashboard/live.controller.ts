import { Controller, MessageEvent, Req, Res, Sse } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { RequireRole } from '@strata/observability';
import type { Request, Response } from 'express';
import { Observable } from 'rxjs';
import { LIVE_STREAM_ROLE, LiveAccess } from './live-access';
import { LiveChangesService } from './live-changes.service';

/**
 * The dashboard's live stream (server-sent events). Left out of the API documents on purpose: it
 * is the dashboard's transport, a stream that never ends, not a resource of the management API
 * (and a fuzzer walking /docs-json would wait on it forever). It ends once its token is refused.
 */
@ApiExcludeController()
@Controller('v1/live')
export class LiveController {
  constructor(
    private readonly live: LiveChangesService,
    private readonly access: LiveAccess,
  ) {}

  @RequireRole(LIVE_STREAM_ROLE)
  @Sse()
  changes(@Req() request: Request, @Res() response: Response): Observable<MessageEvent> {
    return this.access.whileAccepted(request, response, this.live.events());
  }
}
