import { Controller, MessageEvent, Sse } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { RequireRole } from '@strata/observability';
import { Observable } from 'rxjs';
import { LiveChangesService } from './live-changes.service';

/**
 * The dashboard's live stream (server-sent events). Left out of the API documents on purpose: it
 * is the dashboard's transport, a stream that never ends, not a resource of the management API
 * (and a fuzzer walking /docs-json would wait on it forever).
 */
@ApiExcludeController()
@Controller('v1/live')
export class LiveController {
  constructor(private readonly live: LiveChangesService) {}

  @RequireRole('viewer')
  @Sse()
  changes(): Observable<MessageEvent> {
    return this.live.events();
  }
}
