import { Body, Controller, HttpCode, Post, Query } from '@nestjs/common';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiTags, ApiUnprocessableEntityResponse } from '@nestjs/swagger';
import { DomainError } from '@strata/domain';
import { Actor } from '@strata/observability';
import { ApplyQueryDto, ApplyResponseDto, mapApplyResult } from '../dtos/apply.dto';
import { ApplyService } from '../services/apply.service';

/** The body is the YAML itself (application/yaml or text/plain), or JSON `{ "manifest": "<yaml>" }`. */
function manifestText(body: unknown): string {
  if (typeof body === 'string') {
    return body;
  }
  const manifest = (body as { manifest?: unknown } | null)?.manifest;
  if (typeof manifest === 'string') {
    return manifest;
  }
  throw DomainError.invalid('no manifest', [{ field: 'body', message: 'send the YAML as application/yaml, or JSON {"manifest": "<yaml>"}' }]);
}

@ApiTags('manifests')
@Controller('v1/apply')
export class ApplyController {
  constructor(private readonly applier: ApplyService) {}

  @Post()
  @HttpCode(200)
  @ApiConsumes('application/yaml', 'text/plain', 'application/json')
  @ApiBody({ description: 'Multi-document YAML with kinds Stack, Component, ComponentVersion, VersionGroup, Rollout', schema: { type: 'string' } })
  @ApiOkResponse({ type: ApplyResponseDto })
  @ApiUnprocessableEntityResponse({ description: 'A document breaks a rule: each violation names the document, the field and the rule; nothing was applied' })
  async apply(@Body() body: unknown, @Query() query: ApplyQueryDto, @Actor() actor: string): Promise<ApplyResponseDto> {
    return mapApplyResult(await this.applier.apply(manifestText(body), query.dryRun, actor));
  }
}
